"""Shared fixtures: the real packaged model (loaded once), real PDFs, real stores."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tests that are not about the model run the small English one, in this process and in the `procsearch`
# processes they start; the default model (multilingual-e5-small) has its own tests (tests/test_e5_*.py).
os.environ.setdefault("PROCSEARCH_MODEL", "all-MiniLM-L6-v2")

from service.settings import Settings  # noqa: E402 - after the defaults above, which it reads

ROOT = Path(__file__).resolve().parents[1]
SHARED = Settings.from_env().shared_dir  # ../shared unless PROCSEARCH_SHARED says
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
KINDS = ("unit", "integration", "browser", "slow")  # the markers of pyproject.toml that say what a test needs


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test says what it needs (one of KINDS), so `-m unit` runs what needs no model and no store."""
    unmarked = [item.nodeid for item in items if not set(KINDS) & {mark.name for mark in item.iter_markers()}]
    if unmarked:
        raise pytest.UsageError(f"tests without one of the marks {', '.join(KINDS)}: {', '.join(unmarked[:10])}")


@pytest.fixture(scope="session")
def embedder():
    """The small English model, for every test that is not about the model (the default, e5, is tested in
    tests/test_e5_*.py): it loads in a second and encodes four times faster."""
    from index.embedder import MINILM, Embedder

    model = Embedder(MINILM)
    model.embed_query("warm up")
    return model


@pytest.fixture(scope="session")
def e5_embedder():
    """The default model, multilingual-e5-small, onnx-int8 (converted and exported on first use, then cached)."""
    from index.embedder import DEFAULT_MODEL, Embedder

    model = Embedder(DEFAULT_MODEL, backend="onnx-int8")
    model.embed_query("warm up")
    return model


def make_pdf(path: Path, pages: list[str], header: str | None = None, title: str | None = None) -> Path:
    """A real PDF with one string per page, a running header and 'Page N / M' footers."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    if FONT.exists():
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.set_font("DejaVu", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        if header:
            pdf.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, text)
        pdf.set_y(-15)
        pdf.cell(0, 8, f"Page {number} / {len(pages)}", align="C")
    pdf.output(str(path))
    return path


SOCIAL_FR = (
    "Article 5 – Clause sociale d'insertion\n"
    "Le titulaire du marché de nettoyage s'engage à réserver au moins 1 800 heures de travail à des personnes "
    "éloignées de l'emploi, accompagnées par le facilitateur du territoire. Les heures d'insertion sont "
    "contrôlées chaque trimestre et une pénalité de 15 euros s'applique par heure non réalisée."
)
CATERING_EN = (
    "Section 4 - Award criteria\n"
    "The school catering contract is awarded on price (40%), quality of meals (35%) and sustainability (25%). "
    "At least 30% of fresh produce must be organic, rising to 40% in the third year of the framework."
)
BUSES_EN = (
    "Statement of work for forty battery-electric buses with depot chargers. The winter range must exceed "
    "280 km and the battery warranty must cover twelve years."
)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder with French and English documents in the three formats, one broken file and one unknown."""
    root = tmp_path / "docs"
    (root / "fr").mkdir(parents=True)
    (root / "en").mkdir()
    make_pdf(
        root / "fr" / "ccap-nettoyage.pdf",
        [
            "Cahier des clauses administratives particulières\nMarché de nettoyage des locaux communautaires. "
            + "Le présent document fixe les conditions administratives du marché, la durée et les prix. " * 8,
            "Article 4 – Durée\n"
            + "Le marché est conclu pour une durée de trois ans à compter de sa notification. " * 8,
            SOCIAL_FR,
        ],
        header="Pays de Rance — CCAP nettoyage 2023",
        title="CCAP nettoyage des locaux",
    )
    (root / "en" / "catering-rfp.md").write_text(
        "---\ntitle: RFP School Catering\ndoc_type: tender\nyear: 2024\n---\n# RFP School Catering\n\n"
        + CATERING_EN
        + "\n",
        encoding="utf-8",
    )
    (root / "en" / "buses.txt").write_text(BUSES_EN, encoding="utf-8")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n%%EOF")
    (root / "notes.xyz").write_text("unknown format", encoding="utf-8")
    (root / ".hidden.md").write_text("# hidden", encoding="utf-8")
    return root


@pytest.fixture
def edge_collection(tmp_path: Path, embedder):
    from index.collection import open_collection

    with open_collection(data_dir=tmp_path / "data", create=True, embedder=embedder) as collection:
        yield collection


@pytest.fixture
def server_collection(embedder):
    from index.collection import open_collection

    with open_collection(url=":memory:", create=True, embedder=embedder) as collection:
        yield collection


@pytest.fixture(scope="session")
def bundled_collection(tmp_path_factory, embedder):
    """An Edge index of the bundled corpus (corpus/documents, with its catalog), built once and only read."""
    from index.collection import open_collection
    from index.indexer import ingest_paths

    folder = tmp_path_factory.mktemp("bundled") / "data"
    with open_collection(data_dir=folder, create=True, embedder=embedder) as collection:
        ingest_paths(collection, [ROOT / "corpus" / "documents"], workers=0)
        yield collection


@contextmanager
def serving(app) -> Iterator[str]:
    """`app` served by uvicorn in a thread on a free loopback port; yields its base URL, stops it after."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


ADMIN_KEY = "admin-secret-for-tests"  # `procsearch serve` refuses an admin key under 16 characters
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def api_corpus(root: Path) -> Path:
    """Five small documents (a French CCAP PDF, a French guide, an English RFP, two English minutes) for API tests."""
    (root / "fr").mkdir(parents=True)
    (root / "en").mkdir()
    make_pdf(
        root / "fr" / "ccap-nettoyage-2023.pdf",
        [
            "Cahier des clauses administratives particulières. Marché de nettoyage des locaux. " * 6,
            "Article 4 – Durée\n" + "Le marché est conclu pour trois ans à compter de sa notification. " * 6,
            SOCIAL_FR + " " + "Le suivi des heures d'insertion est assuré par le facilitateur. " * 4,
        ],
        header="Pays de Rance — CCAP nettoyage 2023",
        title="CCAP nettoyage 2023",
    )
    (root / "fr" / "guide-clauses-sociales.md").write_text(
        '+++\ntitle = "Guide des clauses sociales"\ndoc_type = "guide"\nyear = 2021\n+++\n'
        "# Guide des clauses sociales\n\n"
        + ("Les clauses sociales favorisent l'insertion par l'activité économique dans les marchés publics. ")
        * 12,
        encoding="utf-8",
    )
    (root / "en" / "rfp-catering-2024.md").write_text(
        "---\ntitle: RFP School Catering 2024\ndoc_type: tender\nyear: 2024\n---\n# RFP School Catering\n\n"
        + (CATERING_EN + "\n\n") * 3,
        encoding="utf-8",
    )
    for year in (2017, 2019):
        (root / "en" / f"minutes-{year}.txt").write_text(
            f"Minutes of the procurement committee, {year}. The committee approved the cleaning contract award "
            "and discussed social value clauses, apprenticeships and community benefits. " * 5,
            encoding="utf-8",
        )
    return root


def assert_consistent(collection) -> int:
    """Every visible document has all its chunks live; no chunk is visible without its document."""
    from index.store import Where as _where

    documents = collection.documents()
    for record in documents:
        live = collection.store.count(_where(kind="chunk", live=True, document_ids=(record.document_id,)))
        assert live == record.chunks, f"{record.source}: {live} of {record.chunks} chunks visible"
    live_ids = set(collection.store.facet("document_id", _where(kind="chunk", live=True)))
    assert live_ids <= {r.document_id for r in documents}
    return len(documents)


def link_target(href: str) -> str:
    """Where a result link leads: the search page sends opened results through /open (counted), then on."""
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    href = unescape(href)
    if href.startswith("/open/"):
        return parse_qs(urlsplit(href).query)["to"][0]
    return href


TENDERS = {
    # source → (front matter type, text): the tender fields each one states are what tests/test_procurement.py checks
    "fr/rc-mobilier-bureau-2024.md": (
        "tender",
        "# Règlement de consultation : fourniture de mobilier de bureau\n\nPouvoir adjudicateur : Ville de Kerbourg\n\n"
        "Objet : fourniture de sièges et de bureaux pour les services municipaux. Code CPV principal : 39130000 "
        "(mobilier de bureau), CPV additionnel : 39112000.\n\nProcédure adaptée en application du code de la "
        "commande publique.\n\nMontant maximum du marché : 60 000 € HT.\n\nDate limite de réception des offres : "
        "15 mars 2024 à 12h00.\n\n## Critères d'attribution\n\n| Critère | Pondération |\n|---|---|\n"
        "| Prix | 40 % |\n| Valeur technique | 35 % |\n| Performance environnementale | 25 % |\n",
    ),
    "fr/rc-mobilier-scolaire-2022.md": (
        "tender",
        "# Règlement de consultation : mobilier scolaire\n\nPouvoir adjudicateur : Ville de Montaigu-sur-Loire\n\n"
        "Objet : fourniture de tables et de chaises pour les écoles. Code CPV : 39160000.\n\nProcédure adaptée.\n\n"
        "Montant maximum : 45 000 € HT.\n\nDate limite de réception des offres : 4 avril 2022 à 12h00.\n\n"
        "## Critères d'attribution\n\n| Critère | Pondération |\n|---|---|\n| Prix | 50 % |\n"
        "| Valeur technique | 30 % |\n| Performance environnementale | 20 % |\n",
    ),
    "en/itt-office-chairs-2023.md": (
        "tender",
        "# Invitation to tender: office chairs\n\nContracting authority: Northvale County Council\n\nSupply of "
        "ergonomic office chairs and desks for council offices. CPV: 39110000.\n\nThis is an open procedure.\n\n"
        "Estimated contract value: £150,000.\n\nTender deadline: 2 June 2023 at 12:00.\n\n## Award criteria\n\n"
        "| Criterion | Weighting |\n|---|---|\n| Price | 50 % |\n| Quality | 30 % |\n| Sustainability | 20 % |\n",
    ),
    "fr/cctp-travaux-ecole-2024.md": (
        "tender",
        "# Marché de travaux : réhabilitation de l'école et de son mobilier\n\nPouvoir adjudicateur : Ville de "
        "Kerbourg\n\nTravaux de réhabilitation du groupe scolaire. Code CPV principal : 45214200.\n\nProcédure "
        "ouverte.\n\nMontant estimé : 1 200 000 € HT.\n\nDate limite de réception des offres : 30 septembre 2024 "
        "à 12h00.\n\nLe mobilier des salles de classe et les bureaux sont déposés avant les travaux.\n",
    ),
    "fr/guide-achat-mobilier.md": (
        "guide",
        "# Guide : acheter du mobilier de bureau durable\n\nLe mobilier de bureau, les sièges et les bureaux "
        "peuvent être achetés de réemploi. Ce guide présente les labels et les critères environnementaux.\n",
    ),
}


def tender_corpus(root: Path) -> Path:
    """Four small tenders that state their CPV codes, procedure, value, deadline and criteria, and a guide."""
    for source, (doc_type, text) in TENDERS.items():
        path = root / source
        path.parent.mkdir(parents=True, exist_ok=True)
        title = text.splitlines()[0].lstrip("# ")
        path.write_text(f"---\ntitle: {title}\ntype: {doc_type}\n---\n{text}", encoding="utf-8")
    return root


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser():
    """(Chromium's path, playwright's sync_api) for a browser test module, or the module is skipped saying how."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip(
            "no Chromium: install it with `make browsers` (apt-get install chromium); browser tests skipped",
            allow_module_level=True,
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'")
    return chromium, sync_api
