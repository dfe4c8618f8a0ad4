"""DOCX (Word 2007+) text from word/document.xml, with the standard library.

- paragraphs in document order, including those inside content controls;
- headings (styles "Heading 1".."Heading 9", "Titre 1".. in French Word, "Title",
  or any style or paragraph with an outline level) become Markdown `#` lines so
  the chunker keeps them as section titles; list paragraphs become `- ` items;
- tables: one line per row, cells joined by ` | ` (nested tables flattened);
- pages: hard page breaks (`w:br w:type="page"`, `pageBreakBefore`) and the
  breaks Word recorded when it last laid the document out
  (`w:lastRenderedPageBreak`) split pages; a document without any is one page;
- deleted text (tracked changes), field codes and the VML fallback copy of
  text boxes are left out; the title comes from docProps/core.xml.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from ingest.converters.base import Extracted
from ingest.converters.packages import PAGE_BREAK, Package, append_row, first_text, local, split_pages, squeeze
from ingest.errors import IngestError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_NAME = re.compile(r"^(?:heading|titre|überschrift|titolo|título|kop)\s*(\d)$", re.I)
_HEADING_ID = re.compile(r"^(?:heading|titre|berschrift|titolo|ttulo|kop)(\d)$", re.I)
_SKIP = {
    "delText",
    "instrText",
    "delInstrText",
    "Fallback",
    "footnoteReference",
    "endnoteReference",
    "commentReference",
    "pPr",
    "rPr",
}
_USELESS_TITLES = {"", "document", "untitled", "sans titre", "title", "titre"}


def _styles(package: Package) -> dict[str, int]:
    """Heading level (1-based) of each paragraph style id that is a heading."""
    root = package.optional_xml("word/styles.xml")
    if root is None:
        return {}
    based_on: dict[str, str] = {}
    levels: dict[str, int] = {}
    for style in root.iter(f"{W}style"):
        if style.get(f"{W}type") != "paragraph":
            continue
        style_id = style.get(f"{W}styleId") or ""
        name_el = style.find(f"{W}name")
        name = (name_el.get(f"{W}val") if name_el is not None else "") or ""
        parent = style.find(f"{W}basedOn")
        if parent is not None and parent.get(f"{W}val"):
            based_on[style_id] = parent.get(f"{W}val") or ""
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        level = _name_level(name) or _name_level(style_id, _HEADING_ID)
        if level is None and outline is not None:
            level = _outline(outline)
        if level is not None:
            levels[style_id] = level
    for style_id, base in based_on.items():  # a style based on a heading is a heading
        seen = {style_id}
        while style_id not in levels and base and base not in seen:
            if base in levels:
                levels[style_id] = levels[base]
            seen.add(base)
            base = based_on.get(base, "")
    return levels


def _name_level(name: str, pattern: re.Pattern[str] = _HEADING_NAME) -> int | None:
    name = name.strip()
    match = pattern.match(name)
    if match:
        return max(1, int(match.group(1)))
    lowered = name.lower()
    if lowered in ("title", "titre", "heading", "titre principal"):
        return 1
    if lowered in ("subtitle", "sous-titre"):
        return 2
    return None


def _hidden(run: ET.Element) -> bool:
    """A run formatted as hidden text (w:vanish): Word does not show or print it."""
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and (vanish.get(f"{W}val") or "true") not in ("0", "false", "off")


def _outline(element: ET.Element) -> int | None:
    try:
        value = int(element.get(f"{W}val") or "9")
    except ValueError:
        return None
    return value + 1 if 0 <= value < 9 else None  # 9 means "body text"


class _Reader:
    def __init__(self, heading_styles: dict[str, int]):
        self.heading_styles = heading_styles
        self.lines: list[str] = []

    # -- paragraphs ---------------------------------------------------------
    def paragraph(self, p: ET.Element) -> None:
        level, is_list, break_before = self._properties(p)
        if break_before:
            self.lines.append(PAGE_BREAK)
        segments = [""]  # text between page breaks
        self._runs(p, segments)
        for i, segment in enumerate(segments):
            if i:
                self.lines.append(PAGE_BREAK)
            text = "\n".join(squeeze(part) for part in segment.split("\n"))
            text = text.strip()
            if not text:
                continue
            if level:
                text = f"{'#' * min(level, 6)} {squeeze(text.replace(chr(10), ' '))}"
            elif is_list:
                text = f"- {text}"
            self.lines.append(text)

    def _properties(self, p: ET.Element) -> tuple[int | None, bool, bool]:
        ppr = p.find(f"{W}pPr")
        if ppr is None:
            return None, False, False
        level = None
        style = ppr.find(f"{W}pStyle")
        if style is not None:
            level = self.heading_styles.get(style.get(f"{W}val") or "")
        outline = ppr.find(f"{W}outlineLvl")
        if outline is not None:
            level = _outline(outline)
        is_list = ppr.find(f"{W}numPr") is not None
        before = ppr.find(f"{W}pageBreakBefore")
        break_before = before is not None and (before.get(f"{W}val") or "true") not in ("0", "false", "off")
        return level, is_list, break_before

    def _runs(self, element: ET.Element, segments: list[str]) -> None:
        for child in element:
            name = local(child.tag)
            if name in _SKIP:
                continue
            if name == "r" and _hidden(child):
                continue
            if name == "t":
                segments[-1] += child.text or ""
            elif name in ("tab", "ptab"):
                segments[-1] += " "
            elif name == "br":
                if child.get(f"{W}type") == "page":
                    segments.append("")
                else:
                    segments[-1] += "\n"
            elif name == "cr":
                segments[-1] += "\n"
            elif name == "lastRenderedPageBreak":
                segments.append("")
            elif name in ("noBreakHyphen", "softHyphen"):
                segments[-1] += "-" if name == "noBreakHyphen" else ""
            elif name == "p":  # a paragraph inside a text box: its own line
                segments[-1] += "\n"
                self._runs(child, segments)
                segments[-1] += "\n"
            else:
                self._runs(child, segments)

    # -- tables -------------------------------------------------------------
    def table(self, tbl: ET.Element) -> None:
        for tr in _own(tbl, "tr"):
            cells = []
            for tc in _own(tr, "tc"):
                paragraphs = []
                for p in tc.iter(f"{W}p"):  # a nested table is flattened into its cell
                    segments = [""]
                    self._runs(p, segments)
                    paragraphs.append(segments)
                cells.append(paragraphs)
            append_row(self.lines, cells)

    # -- body ---------------------------------------------------------------
    def block(self, element: ET.Element) -> None:
        for child in element:
            name = local(child.tag)
            if name == "p":
                self.paragraph(child)
            elif name == "tbl":
                self.table(child)
            elif name in ("sdt", "sdtContent", "customXml", "ins", "smartTag", "txbxContent"):
                self.block(child)


def _own(element: ET.Element, wanted: str) -> list[ET.Element]:
    """Children named `wanted` (rows of a table, cells of a row), also inside content controls, in order;
    not those of tables nested deeper."""
    found = []
    for child in element:
        name = local(child.tag)
        if name == wanted:
            found.append(child)
        elif name in ("sdt", "sdtContent", "customXml"):
            found.extend(_own(child, wanted))
    return found


def extract_docx(path: Path, data: bytes) -> Extracted:
    package = Package(data, "DOCX")
    if not package.has("word/document.xml"):
        if package.has("[Content_Types].xml") and any(n.startswith(("xl/", "ppt/")) for n in package.names):
            raise IngestError("not a Word document: the file is a spreadsheet or a presentation named .docx")
        raise IngestError("corrupt DOCX: missing part 'word/document.xml'")
    root = package.xml("word/document.xml")
    body = root.find(f"{W}body")
    if body is None:
        raise IngestError("corrupt DOCX: word/document.xml has no body")
    reader = _Reader(_styles(package))
    reader.block(body)
    pages = split_pages(reader.lines)
    if not pages:
        raise IngestError("no text in DOCX (empty document or only images)")
    core = package.optional_xml("docProps/core.xml")
    title = first_text(core, "title")
    if title and (title.lower() in _USELESS_TITLES or title.lower().endswith((".doc", ".docx", ".dot", ".dotx"))):
        title = None
    if not title:
        title = next(
            (line.lstrip("#").strip() for page in pages for line in page.split("\n") if line.startswith("# ")), None
        )
    # dc:language is not used: Word fills it from the template (en-US on French documents)
    return Extracted(pages=pages, title=title)
