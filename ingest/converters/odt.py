"""ODT (OpenDocument text, LibreOffice) from content.xml and meta.xml, with the standard library.

- `text:h` with `text:outline-level` → Markdown `#` headings; `text:p` paragraphs;
- lists (`text:list`, nested) → `- ` items; tables → one line per row, cells
  joined by ` | `; sections and frames are read in place;
- pages: `text:soft-page-break` (where LibreOffice last laid out a page) and
  paragraph styles with a page break before/after split pages;
- notes, annotations and tracked deletions are left out; the title comes from
  meta.xml (dc:title), else the first heading.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from ingest.converters.base import Extracted
from ingest.converters.packages import PAGE_BREAK, Package, append_row, first_text, local, split_pages, squeeze
from ingest.errors import IngestError

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_SKIP = {
    "note",
    "annotation",
    "annotation-end",
    "tracked-changes",
    "sequence-decls",
    "variable-decls",
    "user-field-decls",
    "bookmark",
    "bookmark-start",
    "bookmark-end",
    "reference-mark",
    "toc-mark",
    "alphabetical-index-mark",
    "change",
    "change-start",
    "change-end",
    "forms",
    "table-of-content-source",
    "index-title-template",
}


def _page_break_styles(*roots: ET.Element | None) -> tuple[set[str], set[str]]:
    """Names of paragraph styles that start (`before`) or end (`after`) a page."""
    before, after = set(), set()
    for root in roots:
        if root is None:
            continue
        for style in root.iter(f"{STYLE}style"):
            props = style.find(f"{STYLE}paragraph-properties")
            name = style.get(f"{STYLE}name")
            if props is None or not name:
                continue
            if props.get(f"{FO}break-before") == "page":
                before.add(name)
            if props.get(f"{FO}break-after") == "page":
                after.add(name)
    return before, after


class _Reader:
    def __init__(self, break_before: set[str], break_after: set[str]):
        self.break_before, self.break_after = break_before, break_after
        self.lines: list[str] = []

    def inline(self, element: ET.Element, segments: list[str]) -> None:
        """Text of a paragraph, `segments` split where a soft page break falls inside it."""
        if element.text:
            segments[-1] += element.text
        for child in element:
            name = local(child.tag)
            if name == "s":
                segments[-1] += " " * _count(child)
            elif name == "tab":
                segments[-1] += " "
            elif name == "line-break":
                segments[-1] += "\n"
            elif name == "soft-page-break":
                segments.append("")
            elif name in _SKIP:
                pass
            elif name in ("p", "h"):  # text box content inside a paragraph
                segments[-1] += "\n"
                self.inline(child, segments)
                segments[-1] += "\n"
            else:
                self.inline(child, segments)
            if child.tail:
                segments[-1] += child.tail

    def paragraph(self, element: ET.Element, prefix: str = "") -> None:
        style = element.get(f"{TEXT}style-name") or ""
        if style in self.break_before:
            self.lines.append(PAGE_BREAK)
        segments = [""]
        self.inline(element, segments)
        heading = local(element.tag) == "h"
        level = _count(element, f"{TEXT}outline-level") if heading else 0
        for i, segment in enumerate(segments):
            if i:
                self.lines.append(PAGE_BREAK)
            text = "\n".join(squeeze(line) for line in segment.split("\n")).strip()
            if not text:
                continue
            if heading:
                text = f"{'#' * min(level, 6)} {squeeze(text.replace(chr(10), ' '))}"
            elif prefix:
                text = prefix + text
                prefix = "  "  # a list item cut by a page break continues without a new bullet
            self.lines.append(text)
        if style in self.break_after:
            self.lines.append(PAGE_BREAK)

    def block(self, element: ET.Element, list_depth: int = 0) -> None:
        for child in element:
            name = local(child.tag)
            if name in ("p", "h"):
                self.paragraph(child, "  " * (list_depth - 1) + "- " if list_depth else "")
            elif name == "list":
                self.block(child, list_depth + 1)
            elif name in ("list-item", "list-header"):
                self.block(child, list_depth)
            elif name == "table":
                self.table(child)
            elif name == "soft-page-break":
                self.lines.append(PAGE_BREAK)
            elif name in _SKIP:
                continue
            else:  # section, index bodies, frames, text boxes, table-header-rows…
                self.block(child, list_depth)

    def table(self, table: ET.Element) -> None:
        for row in _rows(table):
            cells = []
            for cell in row:
                if local(cell.tag) not in ("table-cell", "covered-table-cell"):
                    continue
                paragraphs = []
                for p in cell.iter():
                    if local(p.tag) in ("p", "h"):
                        segments = [""]
                        self.inline(p, segments)
                        paragraphs.append(segments)
                cells.append(paragraphs)
            append_row(self.lines, cells)


def _rows(table: ET.Element) -> list[ET.Element]:
    rows = []
    for child in table:
        name = local(child.tag)
        if name == "table-row":
            rows.append(child)
        elif name in ("table-header-rows", "table-rows", "table-row-group"):
            rows.extend(_rows(child))
        elif name == "soft-page-break":
            rows.append(child)
    return [r for r in rows if local(r.tag) == "table-row"]


def _count(element: ET.Element, attribute: str = f"{TEXT}c") -> int:
    try:
        return max(1, min(int(element.get(attribute) or "1"), 10))
    except ValueError:
        return 1


def extract_odt(path: Path, data: bytes) -> Extracted:
    package = Package(data, "ODT")
    if package.has("mimetype"):
        mimetype = package.read("mimetype").decode("ascii", "replace").strip()
        if mimetype and mimetype not in (
            "application/vnd.oasis.opendocument.text",
            "application/vnd.oasis.opendocument.text-template",
        ):
            raise IngestError(f"not an OpenDocument text: the file is '{mimetype}'")
    if not package.has("content.xml"):
        raise IngestError("corrupt ODT: missing part 'content.xml'")
    content = package.xml("content.xml")
    text = next(content.iter(f"{OFFICE}text"), None)
    if text is None:
        raise IngestError("corrupt ODT: content.xml has no office:text body")
    reader = _Reader(*_page_break_styles(content, package.optional_xml("styles.xml")))
    reader.block(text)
    pages = split_pages(reader.lines)
    if not pages:
        raise IngestError("no text in ODT (empty document or only images)")
    title = first_text(package.optional_xml("meta.xml"), "title")
    if not title:
        title = next(
            (line.lstrip("#").strip() for page in pages for line in page.split("\n") if line.startswith("#")), None
        )
    return Extracted(pages=pages, title=title)
