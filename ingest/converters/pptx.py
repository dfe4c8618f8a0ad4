"""PPTX (PowerPoint 2007+): the text of each slide, one page per slide.

Slides are read in presentation order (ppt/presentation.xml and its
relationships; file-name order when those are unreadable). A slide's title
placeholder becomes a `#` line; every other paragraph of its shapes and tables
is one line. Speaker notes, layouts and masters are left out. The title comes
from docProps/core.xml, else the first slide's title. Hidden slides are skipped.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from ingest.converters.base import Extracted
from ingest.converters.packages import Package, first_text, local, squeeze
from ingest.errors import IngestError

P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SLIDE = re.compile(r"^ppt/slides/slide(\d+)\.xml$")
MAX_SLIDES = 2000


def _slide_number(name: str) -> int:
    match = _SLIDE.match(name)
    return int(match.group(1)) if match else 0


def _slide_order(package: Package) -> list[str]:
    by_number = sorted((n for n in package.names if _SLIDE.match(n)), key=_slide_number)
    presentation = package.optional_xml("ppt/presentation.xml")
    rels = package.optional_xml("ppt/_rels/presentation.xml.rels")
    if presentation is None or rels is None:
        return by_number
    targets = {
        rel.get("Id"): posixpath.normpath(posixpath.join("ppt", rel.get("Target") or ""))
        for rel in rels.iter(f"{REL}Relationship")
    }
    listed = [targets.get(s.get(f"{R}id")) for s in presentation.iter(f"{P}sldId")]
    ordered = [name for name in listed if name and name in package.names]
    return ordered or by_number


def _paragraphs(element: ET.Element) -> list[str]:
    lines = []
    for paragraph in element.iter(f"{A}p"):
        parts = []
        for node in paragraph.iter():
            name = local(node.tag)
            if name == "t":
                parts.append(node.text or "")
            elif name == "br":
                parts.append(" ")
        text = squeeze("".join(parts))
        if text:
            lines.append(text)
    return lines


def _slide_text(root: ET.Element) -> str:
    lines = []
    tree = root.find(f"{P}cSld/{P}spTree")
    if tree is None:
        return ""
    for shape in tree.iter():
        name = local(shape.tag)
        if name == "sp":
            placeholder = shape.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
            kind = placeholder.get("type") if placeholder is not None else None
            body = shape.find(f"{P}txBody")
            if body is None or kind in ("sldNum", "dt", "ftr"):
                continue
            paragraphs = _paragraphs(body)
            if kind in ("title", "ctrTitle") and paragraphs:
                lines.append("# " + " ".join(paragraphs))
            else:
                lines.extend(paragraphs)
        elif name == "tbl":
            for row in shape.iter(f"{A}tr"):
                cells = [" ".join(_paragraphs(cell)) for cell in row.iter(f"{A}tc")]
                if any(cells):
                    lines.append(" | ".join(cells))
    return "\n".join(lines)


def extract_pptx(path: Path, data: bytes) -> Extracted:
    package = Package(data, "PPTX")
    slides = _slide_order(package)
    if not slides:
        raise IngestError("corrupt PPTX: no slides found (ppt/slides/slideN.xml)")
    if len(slides) > MAX_SLIDES:
        raise IngestError(f"PPTX has {len(slides)} slides (limit {MAX_SLIDES})")
    pages = []
    for name in slides:
        root = package.xml(name)
        if root.get("show") in ("0", "false"):
            pages.append("")  # hidden slide: keep numbering, no text
            continue
        pages.append(_slide_text(root))
    if not any(page.strip() for page in pages):
        raise IngestError("no text in PPTX (slides are images only)")
    title = first_text(package.optional_xml("docProps/core.xml"), "title")
    if not title or title.lower() in ("powerpoint presentation", "présentation powerpoint"):
        title = next((line[2:] for page in pages for line in page.split("\n") if line.startswith("# ")), None)
    return Extracted(pages=pages, title=title)
