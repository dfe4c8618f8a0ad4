"""DOCX, ODT, HTML, MDX, eForms XML and PPTX converters, on files built here and on real ../shared files.

The small DOCX/ODT/PPTX files are real packages written with zipfile; the real
documents come from ../shared (tests skip with a reason when it is absent).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import SHARED

from ingest.converters import SUPPORTED, content_type, convert, packages
from ingest.errors import IngestError
from ingest.pipeline import parse_file
from ingest.walk import walk_paths

pytestmark = pytest.mark.unit

CORPUS = SHARED / "corpus"
needs_shared = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"real documents not available ({CORPUS} is absent)")

# --------------------------------------------------------------------------- builders

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(path: Path, members: dict[str, str | bytes], stored_first: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return path


def p(text: str, style: str | None = None, extra: str = "", ppr: str = "") -> str:
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    return f'<w:p><w:pPr>{style_xml}{ppr}</w:pPr>{extra}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def make_docx(path: Path, body: str, title: str | None = "Cahier des charges nettoyage") -> Path:
    styles = (
        f"<w:styles {W_NS}>"
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Titre2"><w:name w:val="heading 2"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Titre3"><w:name w:val="Titre 3"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="MonTitre"><w:name w:val="Mon titre"/>'
        '<w:basedOn w:val="Heading1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style></w:styles>'
    )
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title or ""}</dc:title></cp:coreProperties>'
    )
    return _zip(
        path,
        {
            "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": f"<w:document {W_NS}><w:body>{body}<w:sectPr/></w:body></w:document>",
            "word/styles.xml": styles,
            "docProps/core.xml": core,
        },
    )


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)


def make_odt(path: Path, body: str, title: str | None = "Règlement de consultation", styles: str = "") -> Path:
    content = (
        f"<office:document-content {ODT_NS}><office:automatic-styles>{styles}</office:automatic-styles>"
        f"<office:body><office:text><text:sequence-decls/>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    meta = (
        f"<office:document-meta {ODT_NS}><office:meta><dc:title>{title or ''}</dc:title></office:meta>"
        "</office:document-meta>"
    )
    return _zip(
        path,
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content, "meta.xml": meta},
        stored_first="mimetype",
    )


PPT_NS = (
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def _slide(title: str, bullets: list[str]) -> str:
    paras = "".join(f"<a:p><a:r><a:t>{b}</a:t></a:r></a:p>" for b in bullets)
    return (
        f"<p:sld {PPT_NS}><p:cSld><p:spTree>"
        f'<p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr>'
        f"<p:txBody><a:p><a:r><a:t>{title}</a:t></a:r></a:p></p:txBody></p:sp>"
        f'<p:sp><p:nvSpPr><p:nvPr><p:ph idx="1"/></p:nvPr></p:nvSpPr><p:txBody>{paras}</p:txBody></p:sp>'
        f'<p:sp><p:nvSpPr><p:nvPr><p:ph type="sldNum"/></p:nvPr></p:nvSpPr>'
        f"<p:txBody><a:p><a:r><a:t>7</a:t></a:r></a:p></p:txBody></p:sp>"
        "</p:spTree></p:cSld></p:sld>"
    )


def make_pptx(path: Path) -> Path:
    # slide2.xml is shown first: order comes from presentation.xml, not from file names
    presentation = (
        f'<p:presentation {PPT_NS}><p:sldIdLst><p:sldId id="256" r:id="rId9"/>'
        '<p:sldId id="257" r:id="rId8"/></p:sldIdLst></p:presentation>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId8" Target="slides/slide1.xml"/>'
        '<Relationship Id="rId9" Target="slides/slide2.xml"/></Relationships>'
    )
    return _zip(
        path,
        {
            "ppt/presentation.xml": presentation,
            "ppt/_rels/presentation.xml.rels": rels,
            "ppt/slides/slide1.xml": _slide("Critères d'attribution", ["Prix 40 %", "Valeur technique 60 %"]),
            "ppt/slides/slide2.xml": _slide("Groupement de commandes", ["Coordonnateur : la métropole"]),
        },
    )


EFORMS = """<?xml version="1.0" encoding="UTF-8"?>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
 xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
 xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1"
 xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
 <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension><efac:Organizations>
  <efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
   <cac:PartyName><cbc:Name languageID="FRA">Ville de Rennes</cbc:Name></cac:PartyName></efac:Company>
   </efac:Organization>
 </efac:Organizations></efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
 <cbc:IssueDate>2024-11-05+01:00</cbc:IssueDate>
 <cbc:NoticeLanguageCode listName="language">FRA</cbc:NoticeLanguageCode>
 <cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
 </cac:Party></cac:ContractingParty>
 <cac:ProcurementProject>
  <cbc:Name languageID="ENG">School catering</cbc:Name>
  <cbc:Name languageID="FRA">Restauration scolaire</cbc:Name>
  <cbc:Description languageID="FRA">Fourniture de repas biologiques pour les écoles de la ville.</cbc:Description>
  <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">55524000</cbc:ItemClassificationCode>
  </cac:MainCommodityClassification>
 </cac:ProcurementProject>
 <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID>
  <cac:TenderingProcess><cac:TenderSubmissionDeadlinePeriod><cbc:EndDate>2024-12-10+01:00</cbc:EndDate>
   <cbc:EndTime>12:00:00+01:00</cbc:EndTime></cac:TenderSubmissionDeadlinePeriod></cac:TenderingProcess>
  <cac:ProcurementProject><cbc:Name languageID="FRA">Repas des crèches</cbc:Name>
   <cbc:Description languageID="FRA">Repas adaptés aux enfants de moins de trois ans.</cbc:Description>
   <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">15894210</cbc:ItemClassificationCode>
   </cac:MainCommodityClassification></cac:ProcurementProject>
 </cac:ProcurementProjectLot>
</ContractNotice>
"""

# --------------------------------------------------------------------------- registry


def test_every_new_format_is_registered_with_its_content_type():
    expected = {
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".odt": "application/vnd.oasis.opendocument.text",
        ".html": "text/html",
        ".htm": "text/html",
        ".xml": "application/xml",
        ".mdx": "text/markdown",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
    for suffix, kind in expected.items():
        assert suffix in SUPPORTED and content_type(Path(f"x{suffix.upper()}")) == kind


def test_spreadsheets_are_skipped_with_a_reason_not_failed(tmp_path: Path):
    (tmp_path / "prix.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "vieux.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "note.xyz").write_text("?")
    make_docx(tmp_path / "ccap.docx", p("Texte du CCAP."))
    walk = walk_paths([tmp_path])
    assert [f.source for f in walk.files] == [f"{tmp_path.name}/ccap.docx"]
    reasons = dict(walk.skipped)
    assert reasons[f"{tmp_path.name}/prix.xlsx"] == "spreadsheet (.xlsx) not indexed"
    assert "legacy Word" in reasons[f"{tmp_path.name}/vieux.doc"]
    assert reasons[f"{tmp_path.name}/note.xyz"] == "unsupported file type '.xyz'"
    with pytest.raises(IngestError, match="spreadsheet"):  # a spreadsheet given by name fails with the same reason
        parse_file(tmp_path / "prix.xlsx", "prix.xlsx")


# --------------------------------------------------------------------------- DOCX


def test_docx_headings_tables_lists_and_page_breaks(tmp_path: Path):
    body = (
        p("Cahier des clauses techniques", "Heading1")
        + p("Objet du marché", "Titre2")
        + p("Le marché porte sur le nettoyage des locaux de la communauté de communes.")
        + p("Vitrerie deux fois par an", ppr='<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>')
        + "<w:tbl><w:tr><w:tc>"
        + p("Site")
        + "</w:tc><w:tc>"
        + p("Surface")
        + "</w:tc></w:tr>"
        + "<w:tr><w:tc>"
        + p("Mairie")
        + "</w:tc><w:tc>"
        + p("1 200 m²")
        + "</w:tc></w:tr></w:tbl>"
        + '<w:p><w:r><w:t>Fin de la page un.</w:t></w:r><w:r><w:br w:type="page"/></w:r></w:p>'
        # Word also records a rendered break after a hard one: it must not make an empty page
        + "<w:p><w:r><w:lastRenderedPageBreak/><w:t>Clauses sociales</w:t></w:r></w:p>"
        + p("Heures d'insertion", "Titre3")
        + p("Sous-titre maison", "MonTitre")
        + '<w:p><w:r><w:t xml:space="preserve">Texte </w:t></w:r>'
        + "<w:r><w:rPr><w:vanish/></w:rPr><w:t>caché</w:t></w:r>"
        + "<w:del><w:r><w:delText>supprimé</w:delText></w:r></w:del>"
        + "<w:r><w:t>visible</w:t><w:tab/><w:t>après tabulation.</w:t></w:r></w:p>"
        + "<w:sdt><w:sdtContent>"
        + p("Texte dans un contrôle de contenu.")
        + "</w:sdtContent></w:sdt>"
    )
    extracted = convert(tmp_path / "cctp.docx", make_docx(tmp_path / "cctp.docx", body).read_bytes())
    assert extracted.title == "Cahier des charges nettoyage"
    assert len(extracted.pages) == 2
    one, two = extracted.pages
    assert one.startswith("# Cahier des clauses techniques\n\n## Objet du marché\n\nLe marché porte")
    assert "- Vitrerie deux fois par an" in one
    assert "Site | Surface\n\nMairie | 1 200 m²" in one
    assert "Fin de la page un." in one and "Clauses sociales" in two
    assert "### Heures d'insertion" in two and "# Sous-titre maison" in two
    assert "Texte visible après tabulation." in two
    assert "caché" not in two and "supprimé" not in two
    assert "Texte dans un contrôle de contenu." in two


def test_docx_through_the_pipeline_keeps_sections_pages_and_type(tmp_path: Path):
    body = (
        p("Règlement de la consultation", "Heading1")
        + p("Article 1 – Objet", "Titre2")
        + p("La consultation porte sur la fourniture de repas pour la restauration scolaire de la ville. " * 6)
        + '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        + p("Article 2 – Critères d'attribution", "Titre2")
        + p("Les offres sont jugées sur le prix pour quarante pour cent et la qualité des repas. " * 6)
    )
    path = make_docx(tmp_path / "rc-restauration.docx", body, title="RC restauration scolaire 2024")
    parsed = parse_file(path, "docs/rc-restauration.docx")
    doc = parsed.document
    assert (doc.title, doc.pages, doc.language, doc.year) == ("RC restauration scolaire 2024", 2, "fr", 2024)
    assert doc.content_type.endswith("wordprocessingml.document")
    criteria = [c for c in parsed.chunks if "quarante" in c.text]
    assert criteria and criteria[0].page == 2 and "Article 2" in criteria[0].section


def test_docx_title_falls_back_to_first_heading(tmp_path: Path):
    path = make_docx(tmp_path / "a.docx", p("Avis de marché", "Heading1") + p("Texte."), title=None)
    assert convert(path, path.read_bytes()).title == "Avis de marché"


@pytest.mark.parametrize(
    "suffix, members, reason",
    [
        (".docx", None, "corrupt DOCX: not a readable zip"),
        (".docx", {"word/other.xml": "<x/>"}, "corrupt DOCX: missing part 'word/document.xml'"),
        (".docx", {"word/document.xml": "<w:document><w:body>"}, "corrupt DOCX: .*not well-formed"),
        (".docx", {"word/document.xml": f"<w:document {W_NS}><w:body/></w:document>"}, "no text in DOCX"),
        (".docx", {"xl/workbook.xml": "<x/>", "[Content_Types].xml": "<x/>"}, "spreadsheet or a presentation"),
        (
            ".docx",
            {
                "word/document.xml": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                f"<w:document {W_NS}><w:body>{p('&lol;')}</w:body></w:document>"
            },
            "possible XML bomb",
        ),
        (".odt", None, "corrupt ODT: not a readable zip"),
        (
            ".odt",
            {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
            "not an OpenDocument text",
        ),
        (".odt", {"mimetype": "application/vnd.oasis.opendocument.text"}, "missing part 'content.xml'"),
        (".odt", {"content.xml": "<office:document-content"}, "corrupt ODT: .*not well-formed"),
        (".odt", {"content.xml": f"<office:document-content {ODT_NS}/>"}, "no office:text body"),
    ],
)
def test_corrupt_packages_raise_ingest_error_with_reason(tmp_path: Path, suffix: str, members, reason: str):
    path = tmp_path / f"bad{suffix}"
    if members is None:
        path.write_bytes(b"PK\x03\x04this is no zip archive at all")
    else:
        _zip(path, members)
    with pytest.raises(IngestError, match=reason):
        parse_file(path, path.name)


def test_truncated_docx_is_an_ingest_error(tmp_path: Path):
    good = make_docx(tmp_path / "good.docx", p("Texte " * 500)).read_bytes()
    (tmp_path / "cut.docx").write_bytes(good[: len(good) // 2])
    with pytest.raises(IngestError, match="corrupt DOCX"):
        parse_file(tmp_path / "cut.docx", "cut.docx")


def test_zip_bomb_is_refused_before_reading(tmp_path: Path, monkeypatch):
    # 3 MB of zeros compress to a few KB; with the cap lowered to 1 MB the member is refused unread
    path = _zip(tmp_path / "bomb.docx", {"word/document.xml": b"<a>" + b"\x20" * 3_000_000 + b"</a>"})
    assert path.stat().st_size < 50_000
    monkeypatch.setattr(packages, "MAX_MEMBER_BYTES", 1_000_000)
    with pytest.raises(IngestError, match="possible zip bomb"):
        convert(path, path.read_bytes())
    assert packages.MAX_MEMBER_BYTES == 1_000_000 and 200 * 2**20 == 209_715_200  # the real cap is 200 MB


# --------------------------------------------------------------------------- ODT


def test_odt_headings_lists_tables_and_soft_page_breaks(tmp_path: Path):
    styles = (
        '<style:style style:name="P9" style:family="paragraph">'
        '<style:paragraph-properties fo:break-before="page"/></style:style>'
    )
    body = (
        '<text:h text:outline-level="1">Règlement de la consultation</text:h>'
        '<text:h text:outline-level="2">Article 1 – Objet</text:h>'
        '<text:p>Accord-cadre de fournitures<text:s text:c="2"/>de bureau<text:tab/>recyclées.'
        "<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Note.</text:p>"
        "</text:note-body></text:note></text:p>"
        "<text:list><text:list-item><text:p>Papier recyclé</text:p>"
        "<text:list><text:list-item><text:p>Ramettes A4</text:p></text:list-item></text:list>"
        "</text:list-item></text:list>"
        "<table:table><table:table-header-rows><table:table-row><table:table-cell><text:p>Lot</text:p>"
        "</table:table-cell><table:table-cell><text:p>Intitulé</text:p></table:table-cell></table:table-row>"
        "</table:table-header-rows><table:table-row><table:table-cell><text:p>1</text:p></table:table-cell>"
        "<table:table-cell><text:p>Papier</text:p></table:table-cell></table:table-row></table:table>"
        "<text:soft-page-break/>"
        "<text:section><text:p>Page deux, dans une section.</text:p></text:section>"
        '<text:p text:style-name="P9">Page trois après un saut de page.</text:p>'
    )
    path = make_odt(tmp_path / "rc.odt", body, styles=styles)
    extracted = convert(path, path.read_bytes())
    assert extracted.title == "Règlement de consultation", "dc:title from meta.xml"
    assert len(extracted.pages) == 3
    one = extracted.pages[0]
    assert one.startswith("# Règlement de la consultation\n\n## Article 1 – Objet\n\n")
    assert "Accord-cadre de fournitures de bureau recyclées." in one and "Note." not in one
    assert "- Papier recyclé" in one and "  - Ramettes A4" in one
    assert "Lot | Intitulé\n\n1 | Papier" in one
    assert extracted.pages[1] == "Page deux, dans une section."
    assert extracted.pages[2] == "Page trois après un saut de page."
    parsed = parse_file(path, "docs/rc.odt")
    assert (
        parsed.document.language == "fr" and parsed.document.content_type == "application/vnd.oasis.opendocument.text"
    )


def test_odt_without_meta_title_uses_first_heading(tmp_path: Path):
    path = make_odt(
        tmp_path / "a.odt", '<text:h text:outline-level="1">Guide achats</text:h><text:p>x y</text:p>', title=None
    )
    assert convert(path, path.read_bytes()).title == "Guide achats"


# --------------------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Clauses sociales – Réseau</title>
<style>p { color: red }</style><script>var secret = "ne pas indexer";</script></head>
<body><header><a href="/">Accueil</a> | Menu du site</header>
<nav><ul><li>Lien de navigation</li></ul></nav>
<main><h1>Clauses sociales dans les marchés</h1>
<p>Une clause d'insertion réserve des heures de travail à des personnes éloignées de l'emploi &amp; accompagnées.</p>
<h2>Exemples</h2><ul><li>Nettoyage des locaux<li>Espaces verts</ul>
<table><tr><th>Marché</th><th>Heures</th></tr><tr><td>Nettoyage</td><td>1 800</td></tr></table>
<div hidden>Contenu masqué</div><p aria-hidden="true">Décoratif</p>
<aside>Encadré publicitaire</aside></main>
<footer>Mentions légales</footer></body></html>"""


def test_html_visible_text_headings_and_title(tmp_path: Path):
    (tmp_path / "page.html").write_text(HTML, encoding="utf-8")
    extracted = convert(tmp_path / "page.html", (tmp_path / "page.html").read_bytes())
    text = extracted.pages[0]
    assert extracted.title == "Clauses sociales – Réseau"
    assert text.startswith("# Clauses sociales dans les marchés\n\nUne clause d'insertion")
    assert "emploi & accompagnées." in text and "## Exemples" in text
    assert "- Nettoyage des locaux\n\n- Espaces verts" in text
    assert "Marché | Heures\n\nNettoyage | 1 800" in text
    for hidden in (
        "ne pas indexer",
        "color",
        "Menu du site",
        "Lien de navigation",
        "Mentions légales",
        "Encadré",
        "Contenu masqué",
        "Décoratif",
    ):
        assert hidden not in text, hidden
    parsed = parse_file(tmp_path / "page.html", "web/page.html")
    assert parsed.document.language == "fr" and parsed.document.content_type == "text/html"
    assert parsed.chunks[0].section.startswith("Clauses sociales dans les marchés"), "h1 reaches the chunker"


def test_html_title_falls_back_to_first_h1_and_decodes_latin1(tmp_path: Path):
    data = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
        "<body><h1>Marché de fournitures</h1><p>Délai de paiement : trente jours.</p>"
    ).encode("latin-1")
    (tmp_path / "a.htm").write_bytes(data)
    extracted = convert(tmp_path / "a.htm", data)
    assert extracted.title == "Marché de fournitures"
    assert "Délai de paiement : trente jours." in extracted.pages[0]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"<html><script>only()</script><nav>menu</nav></html>", "no visible text"),
        (b"\x00\x01\x02<html>", "binary"),
    ],
)
def test_bad_html_raises_ingest_error(tmp_path: Path, content: bytes, reason: str):
    (tmp_path / "x.html").write_bytes(content)
    with pytest.raises(IngestError, match=reason):
        parse_file(tmp_path / "x.html", "x.html")


# --------------------------------------------------------------------------- MDX

MDX = """---
heading: Contract Design
tags:
  - solicitation
---
import Summary from "../components/Summary"
export const meta = {
  layout: "lifecycle",
}

<Summary>
  - Firm Fixed Price can be used on Agile contracts.
</Summary>

## Describing Agile in Solicitations

Dedicate a section to the agile process.
<ExternalResources heading="Additional resources" media="/x.jpg">
<a class="usa-button" href="/assets/files/guide.pdf">Download PDF</a>
</ExternalResources>
{/* an editor's comment */}
"""


def test_mdx_is_markdown_without_esm_and_jsx_lines(tmp_path: Path):
    (tmp_path / "contract-design.mdx").write_text(MDX, encoding="utf-8")
    extracted = convert(tmp_path / "contract-design.mdx", MDX.encode())
    text = extracted.pages[0]
    assert extracted.title == "Contract Design" and extracted.metadata["tags"] == ["solicitation"]
    for gone in ("import", "export", "layout", "<Summary>", "</Summary>", "<ExternalResources", "<a ", "comment"):
        assert gone not in text, gone
    for kept in (
        "- Firm Fixed Price can be used",
        "## Describing Agile in Solicitations",
        "Additional resources",
        "Download PDF",
        "Dedicate a section",
    ):
        assert kept in text, kept
    parsed = parse_file(tmp_path / "contract-design.mdx", "techfar/contract-design.mdx")
    assert parsed.document.content_type == "text/markdown" and parsed.document.language == "en"


# --------------------------------------------------------------------------- eForms XML


def test_eforms_notice_text_and_metadata(tmp_path: Path):
    (tmp_path / "notice.xml").write_text(EFORMS, encoding="utf-8")
    parsed = parse_file(tmp_path / "notice.xml", "ted/notice.xml")
    doc = parsed.document
    assert (doc.title, doc.doc_type, doc.language, doc.year, doc.date) == (
        "Restauration scolaire",
        "notice",
        "fr",
        2024,
        "2024-11-05",
    )
    assert doc.extra["buyer"] == "Ville de Rennes" and doc.extra["cpv"] == ["55524000", "15894210"]
    assert doc.extra["deadline"] == "2024-12-10 12:00"
    text = parsed.pages[0].text
    assert text.startswith("# Restauration scolaire\nAcheteur : Ville de Rennes")
    assert "School catering" not in text, "only the notice language is kept"
    assert (
        "## Lot LOT-0001 — Repas des crèches" in text and "Date limite de remise des offres : 2024-12-10 12:00" in text
    )
    assert parsed.chunks[0].section.startswith("Restauration scolaire")


@pytest.mark.parametrize(
    "content, reason",
    [
        ('<?xml version="1.0"?><rss><channel><title>x</title></rss>', "corrupt XML: .*not well-formed"),
        ('<?xml version="1.0"?><catalog><book>Le Code</book></catalog>', r"unsupported XML \(not an eForms notice\)"),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            "<lolz>&lol2;</lolz>",
            "possible XML bomb",
        ),
        ('<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', "possible XML bomb"),
        ("", "empty file"),
    ],
)
def test_bad_or_foreign_xml_raises_ingest_error(tmp_path: Path, content: str, reason: str):
    (tmp_path / "x.xml").write_text(content, encoding="utf-8")
    with pytest.raises(IngestError, match=reason):
        parse_file(tmp_path / "x.xml", "x.xml")


def test_utf16_xml_bomb_is_refused_too(tmp_path: Path):
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'.encode("utf-16")
    with pytest.raises(IngestError, match="possible XML bomb"):
        convert(tmp_path / "x.xml", data)


# --------------------------------------------------------------------------- PPTX


def test_pptx_one_page_per_slide_in_presentation_order(tmp_path: Path):
    path = make_pptx(tmp_path / "atelier.pptx")
    extracted = convert(path, path.read_bytes())
    assert extracted.pages == [
        "# Groupement de commandes\nCoordonnateur : la métropole",
        "# Critères d'attribution\nPrix 40 %\nValeur technique 60 %",
    ]
    assert extracted.title == "Groupement de commandes"


def test_corrupt_pptx_raises_ingest_error(tmp_path: Path):
    _zip(tmp_path / "a.pptx", {"ppt/presentation.xml": "<x/>"})
    with pytest.raises(IngestError, match="no slides"):
        parse_file(tmp_path / "a.pptx", "a.pptx")
    _zip(tmp_path / "b.pptx", {"ppt/slides/slide1.xml": "<p:sld"})
    with pytest.raises(IngestError, match="corrupt PPTX"):
        parse_file(tmp_path / "b.pptx", "b.pptx")


# --------------------------------------------------------------------------- real files (../shared)


@needs_shared
def test_real_docx_rfq_from_18f():
    path = CORPUS / "us-18f-rfq" / "tdrs" / "Final-RFQ" / "FINAL TDRS software development RFQ.docx"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    parsed = parse_file(path, "us-18f-rfq/tdrs/Final-RFQ/FINAL TDRS software development RFQ.docx")
    doc = parsed.document
    assert doc.language == "en" and doc.doc_type == "tender" and len(parsed.chunks) > 20
    body = "\n".join(p.text for p in parsed.pages)
    assert "Request for Quote" in body and "Agile" in body
    assert " | " in body, "the RFQ's tables come out as rows"
    assert any(c.section for c in parsed.chunks), "Word headings reach the chunker"


@needs_shared
def test_real_docx_statement_of_objectives_from_techfar():
    path = CORPUS / "us-techfar" / "files" / "DigitalServiceSOO.docx"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    parsed = parse_file(path, "us-techfar/files/DigitalServiceSOO.docx")
    doc = parsed.document
    assert doc.title == "U.S. Digital Services Statement of Objectives" and doc.pages > 5
    assert "## Understand what people need" in parsed.pages[0].text
    assert any("Understand what people need" in c.section for c in parsed.chunks)


@needs_shared
@pytest.mark.parametrize(
    "name, language, buyer, cpv, title_start",
    [
        (
            "00185800_2025.xml",
            "fr",
            "Agglomération Sophia Antipolis",
            "45233293",
            "Fourniture et pose de signalisation",
        ),
        ("00151946_2025.xml", "pl", "Uniwersytecki Szpital Kliniczny nr 1", "33100000", "Doposażenie Zakładu"),
        ("00155175_2025.xml", "de", "Stadt Recklinghausen", "39100000", "Zuschlagvertrag"),
    ],
)
def test_real_ted_notices(name: str, language: str, buyer: str, cpv: str, title_start: str):
    path = CORPUS / "ted-notices" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    parsed = parse_file(path, f"ted-notices/{name}")
    doc = parsed.document
    assert doc.doc_type == "notice" and doc.language == language and doc.year == 2025
    assert doc.title.startswith(title_start)
    assert str(doc.extra["buyer"]).startswith(buyer) and cpv in doc.extra["cpv"]
    assert parsed.chunks and parsed.pages[0].text.startswith(f"# {doc.title[:60]}")
    assert all(len(line) <= 120 for line in parsed.pages[0].text.split("\n") if line.startswith("#"))


@needs_shared
def test_real_pptx_and_mdx_from_techfar():
    files = CORPUS / "us-techfar"
    pptx = next(iter(sorted(files.rglob("*.pptx"))), None)
    mdx = files / "content" / "solicitation" / "contract-design.mdx"
    if pptx is None or not mdx.exists():
        pytest.skip("TechFAR pptx/mdx files are absent")
    deck = parse_file(pptx, f"us-techfar/files/{pptx.name}")
    assert deck.document.pages > 5 and deck.chunks
    page = parse_file(mdx, "us-techfar/content/solicitation/contract-design.mdx")
    assert page.document.title == "Contract Design"
    assert "<Summary>" not in page.pages[0].text and "Firm Fixed Price" in page.pages[0].text
