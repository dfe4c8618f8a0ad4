"""The rule that sends a PDF page to OCR: no usable text layer."""

from __future__ import annotations

import pytest

from eval.ocr_set import character_error_rate, edit_distance, normalise
from ingest.ocr_quality import prefer_ocr, usable_text, word_share

pytestmark = pytest.mark.unit

TYPED_FR = (
    "Le titulaire du marché de nettoyage s'engage à réserver au moins 1 800 heures de travail à des "
    "personnes éloignées de l'emploi, accompagnées par le facilitateur du territoire (article 5.2). "
) * 2
TYPED_EN = (
    "The school catering contract is awarded on price (40%), quality of meals (35%) and sustainability "
    "(25%); at least 30% of fresh produce must be organic by 2026. "
) * 2


@pytest.mark.parametrize("text", [TYPED_FR, TYPED_EN, "ARTICLE 3 – DURÉE DU MARCHÉ\n" + TYPED_FR])
def test_a_typed_page_keeps_its_text_layer(text):
    assert usable_text(text)
    assert word_share(text) > 0.9


CONTENTS = "".join(
    f"{n}.{k}. Règles d’allocation des impacts du lot {n} {'.' * 60} {10 * n + k}\n"
    for n in range(1, 6)
    for k in range(1, 5)
)
REFERENCES = (
    "→ Guide de l’achat public – Le sourcing : https://www.economie.gouv.fr/daj/guide-sourcing-operationnel\n"
    "→ Readings/videos: https://www.gao.gov/products/gao-19-136 ; how/when T&M contracts fit, VA118-16-D-1005\n"
) * 4


@pytest.mark.parametrize("text", [CONTENTS, REFERENCES])
def test_contents_and_reference_pages_keep_their_text_layer(text):
    """Dot leaders are layout, and URLs, elisions and codes are words: such pages are not sent to OCR."""
    assert usable_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n  ",
        "Accusé de réception en préfecture 029-212900468-20211213-2021-112-DE",  # an e-transmission stamp alone
        "Page 3 / 12",
    ],
)
def test_a_page_with_only_a_stamp_or_nothing_goes_to_ocr(text):
    assert not usable_text(text)


@pytest.mark.parametrize(
    "garbage",
    [
        "(cid:3)(cid:68)(cid:85)(cid:70)(cid:75)(cid:255) " * 40,  # glyph ids without a Unicode map
        "\ue000\ue011\ue02a\ue013 \ue045\ue001 " * 60,  # private-use characters
        "Ohv wlwxodluh gx pdufkp gh qhwwrbdjh v'hqjdjh " * 10,  # letters shifted by a broken font encoding
        "#$%& '()*+ ,-./0 123!\"# $%&'( )*+,- " * 30,  # symbols
        "\ufffd\ufffd\ufffd \ufffd\ufffd " * 80,  # replacement characters
    ],
)
def test_a_garbage_text_layer_goes_to_ocr(garbage):
    assert not usable_text(garbage)


def test_ocr_replaces_a_stamp_but_not_the_typed_text_of_a_logo_page():
    stamp = "Reçu en préfecture le 14/12/2021"
    assert prefer_ocr(stamp, stamp + "\n" + TYPED_FR)
    short_typed = "Ville de Kerbourg — Direction de la commande publique — Rapport annuel 2024"
    assert not prefer_ocr(short_typed, short_typed.replace("o", "0") + " |")  # OCR of the same words: keep ours


def test_edit_distance_and_cer_count_characters_not_line_breaks():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("délibération", "deliberation") == 2
    assert normalise("mar-\nché  public’s «x»") == 'mar-ché public\'s "x"'
    assert character_error_rate("Le marché\npublic", "Le marché public") == 0
    assert character_error_rate("Le rnarché public", "Le marché public") == pytest.approx(2 / 16)
