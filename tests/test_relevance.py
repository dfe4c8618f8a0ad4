"""Relevance guards on the bundled corpus: questions from the brief whose first answer must not move.

They run without a browser (the API through Litestar's test client), so a machine without Chromium still
checks them.
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(tmp_path_factory, bundled_collection):
    settings = Settings(data_dir=tmp_path_factory.mktemp("relevance") / "data", query_log_days=0)
    with TestClient(create_app(settings, collection=bundled_collection)) as test_client:
        yield test_client


def test_the_members_question_opens_on_the_french_answer(client):
    """The helpdesk FAQ answers "Peut-on réserver un lot à un ESAT ?" word for word, in French.

    An English guide on reserved contracts is relevant too, but a member asking in French should read the
    French answer first.
    """
    body = client.get("/v1/search", params={"q": "Peut-on réserver un lot à un ESAT ?", "k": 3}).json()
    first = body["documents"][0]
    assert first["source"].endswith("faq-helpdesk-rargo-2025.md"), first["source"]
    assert first["language"] == "fr"


def test_a_school_catering_question_opens_on_catering_documents(client):
    body = client.get(
        "/v1/search", params={"q": "what award criteria did other cities use for school catering?", "k": 3}
    ).json()
    titles = " ".join(d["title"].lower() for d in body["documents"][:2])
    assert "catering" in titles or "restauration" in titles or "food" in titles, titles
