"""HTML: the visible text of a page, with the standard library's html.parser.

Script, style, navigation, page header and footer, asides, forms' hidden parts
and anything marked `hidden` / `aria-hidden="true"` are dropped; headings h1–h6
become Markdown `#` lines (so the chunker keeps sections), list items `- `
lines, table rows ` | `-joined cells; block elements end lines. The title is
the page's <title>, else its first h1. No entity beyond HTML's own is expanded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from ingest.converters.base import Extracted
from ingest.converters.packages import squeeze
from ingest.errors import IngestError

_DROP = {
    "script",
    "style",
    "nav",
    "footer",
    "header",
    "aside",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "canvas",
    "select",
    "button",
    "dialog",
}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "caption",
    "address",
    "details",
    "summary",
    "fieldset",
    "legend",
    "form",
    "body",
    "html",
    "center",
    "hr",
    "br",
}
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.I)


def _hidden(tag: str, attributes: dict[str, str | None]) -> bool:
    """Elements a reader never sees (scripts, hidden inputs, aria-hidden): their text is not indexed."""
    return (
        tag in _DROP
        or "hidden" in attributes
        or (attributes.get("aria-hidden") or "").lower() == "true"
        or (tag == "input" and (attributes.get("type") or "").lower() == "hidden")
    )


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.drop: list[str] = []  # open tags whose content is invisible
        self.title: list[str] = []
        self.in_title = False
        self.heading = 0
        self.first_h1: str | None = None
        self.prefix = ""
        self.cells: list[str] | None = None  # the current table row
        self.in_cell = False
        self.pre = 0

    # -- structure ------------------------------------------------------------
    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        if self.in_cell and self.cells is not None:
            self.cells[-1] += " " + text
            return
        if self.pre:
            lines = [line.rstrip() for line in text.split("\n")]
            text = "\n".join(line for line in lines if line.strip())
        else:
            text = squeeze(text.replace("\n", " "))
        if not text:
            return
        if self.heading:
            text = squeeze(text.replace("\n", " "))
            if self.heading == 1 and self.first_h1 is None:
                self.first_h1 = text
            text = f"{'#' * self.heading} {text}"
        elif self.prefix:
            text = self.prefix + text
            self.prefix = ""
        self.lines.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.title and not self.drop:
            self.in_title = True
            return
        if self.drop:
            if tag == self.drop[-1] and tag not in _VOID:
                self.drop.append(tag)
            return
        if _hidden(tag, dict(attrs)):
            if tag not in _VOID:
                self.flush()
                self.drop.append(tag)
            return
        self.open_block(tag)

    def open_block(self, tag: str) -> None:
        """A visible element starts: end the current line and note what the next text belongs to."""
        if tag in _HEADINGS:
            self.flush()
            self.heading = _HEADINGS[tag]
        elif tag == "li":
            self.flush()
            self.prefix = "- "
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th"):
            self.flush()
            if self.cells is None:
                self.cells = []
            self.cells.append("")
            self.in_cell = True
        elif tag == "pre":
            self.flush()
            self.pre += 1
        elif tag in _BLOCK:
            self.flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:  # <div/> in HTML is an opening tag
            self.handle_starttag(tag, attrs)
        elif not self.drop and tag in _BLOCK:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.drop:
            if tag == self.drop[-1]:
                self.drop.pop()
            elif tag in ("body", "html"):  # an unclosed <nav> or <footer> ends with the page
                self.drop.clear()
            return
        if tag in _HEADINGS:
            self.flush()
            self.heading = 0
        elif tag in ("td", "th"):
            self.flush()
            self.in_cell = False
        elif tag == "tr" or (tag in ("table", "thead", "tbody", "tfoot") and self.cells is not None):
            self.flush()
            self._end_row()
        elif tag == "pre":
            self.flush()
            self.pre = max(0, self.pre - 1)
        elif tag in _BLOCK or tag == "li":
            self.flush()

    def _end_row(self) -> None:
        self.in_cell = False
        if self.cells is not None:
            cells = [squeeze(c) for c in self.cells]
            if any(cells):
                self.lines.append(" | ".join(cells))
        self.cells = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.drop:
            self.buffer.append(data)

    def close(self) -> None:
        super().close()
        self.flush()
        self._end_row()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def extract_html(path: Path, data: bytes) -> Extracted:
    if not data.strip():
        raise IngestError("empty file")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError("binary content in an HTML file")
    parser = _Visible()
    try:
        parser.feed(_decode(data))
        parser.close()
    except (AssertionError, ValueError, RecursionError) as exc:  # html.parser is lenient; be safe anyway
        raise IngestError(f"corrupt HTML: {exc}") from exc
    text = "\n\n".join(parser.lines)
    if not text.strip():
        raise IngestError("no visible text in HTML page")
    title = squeeze(" ".join(parser.title)) or parser.first_h1
    return Extracted(pages=[text], title=title or None)
