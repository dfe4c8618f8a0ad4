"""Safe reading of zipped XML packages (DOCX, ODT, PPTX) and of XML files.

Every failure becomes an IngestError that names the format ("corrupt DOCX: …"),
never a zipfile, expat or KeyError. Two guards come first:

- zip bombs: a member's declared uncompressed size is checked before it is
  read (zipfile never returns more than the declared size), and so is the sum
  of what one file makes us read;
- XML bombs: documents with a DTD (`<!DOCTYPE`, `<!ENTITY`) are refused before
  parsing — office packages and eForms notices never have one — and
  ElementTree resolves no external entity; expat (≥ 2.4) also caps entity
  amplification on its own.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from xml.etree import ElementTree as ET

from ingest.errors import IngestError

MAX_MEMBER_BYTES = 200 * 1024 * 1024  # one XML part, uncompressed
MAX_TOTAL_BYTES = 400 * 1024 * 1024  # everything one file makes us read
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


class Package:
    """A zip archive read with size caps; `kind` ('DOCX', 'ODT', …) prefixes every error."""

    def __init__(self, data: bytes, kind: str):
        self.kind = kind
        self._read_total = 0
        if not data.strip(b"\x00 \t\r\n"):
            raise IngestError("empty file")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zip.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise IngestError(f"corrupt {kind}: not a readable zip archive ({exc})") from exc

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """The member's bytes, after checking its declared size; IngestError when missing or broken."""
        try:
            info = self.zip.getinfo(name)
        except KeyError as exc:
            raise IngestError(f"corrupt {self.kind}: missing part '{name}'") from exc
        if info.file_size > MAX_MEMBER_BYTES:
            raise IngestError(
                f"{self.kind} part '{name}' is {info.file_size / 2**20:.0f} MB uncompressed "
                f"(limit {MAX_MEMBER_BYTES // 2**20} MB): refused as a possible zip bomb"
            )
        self._read_total += info.file_size
        if self._read_total > MAX_TOTAL_BYTES:
            raise IngestError(
                f"{self.kind} expands to more than {MAX_TOTAL_BYTES // 2**20} MB: refused as a possible zip bomb"
            )
        try:
            return self.zip.read(info)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
        ) as exc:  # RuntimeError: encrypted member
            raise IngestError(f"corrupt {self.kind}: cannot read '{name}' ({exc})") from exc

    def xml(self, name: str) -> ET.Element:
        return parse_xml(self.read(name), f"{self.kind} part '{name}'", self.kind)

    def optional_xml(self, name: str) -> ET.Element | None:
        """A part that may be absent or broken without losing the document (metadata, styles)."""
        if not self.has(name):
            return None
        try:
            return self.xml(name)
        except IngestError:
            return None


def parse_xml(data: bytes, what: str = "XML", kind: str = "XML") -> ET.Element:
    """Root element of `data`; refuses DTDs and reports malformed XML as an IngestError."""
    if not data.strip():
        raise IngestError(f"corrupt {kind}: {what} is empty" if what != "XML" else "empty file")
    if any(marker in data for marker in _DTD_MARKERS):
        raise IngestError(f"{what} declares a DTD or entities: refused (possible XML bomb)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise IngestError(f"corrupt {kind}: {what} is not well-formed XML ({exc})") from exc
    except (ValueError, LookupError, RecursionError) as exc:  # unknown encoding, nesting too deep
        raise IngestError(f"corrupt {kind}: {what} cannot be parsed ({exc})") from exc


def local(tag: object) -> str:
    """`{namespace}name` → `name` (comments and processing instructions have no str tag)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_WS = re.compile(r"[ \t\u00a0]+")


def squeeze(text: str) -> str:
    """Runs of spaces and tabs as one space, stripped."""
    return _WS.sub(" ", text).strip()


def first_text(root: ET.Element | None, name: str) -> str | None:
    """Text of the first descendant with local name `name` (Dublin Core title…), or None."""
    if root is None:
        return None
    for element in root.iter():
        if local(element.tag) == name:
            text = squeeze("".join(element.itertext()))
            return text or None
    return None


PAGE_BREAK = "\f"  # marker a converter appends to its stream of lines where a page ends


def split_pages(lines: list[str]) -> list[str]:
    """Pages from a stream of lines with PAGE_BREAK markers; two breaks in a row make no empty page."""
    pages: list[str] = []
    current: list[str] = []
    for line in lines:
        if line == PAGE_BREAK:
            if current:
                pages.append("\n\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        pages.append("\n\n".join(current))
    return pages


def append_row(lines: list[str], cells: list[list[list[str]]]) -> None:
    """A table row as one ' | '-joined line; each cell is its paragraphs' text segments.

    More than one segment in a paragraph means a page break inside it: the row is
    followed by PAGE_BREAK.
    """
    texts, page_break = [], False
    for paragraphs in cells:
        parts = []
        for segments in paragraphs:
            page_break |= len(segments) > 1
            parts.append(squeeze(" ".join(segments).replace("\n", " ")))
        texts.append(" ".join(part for part in parts if part))
    if any(texts):
        lines.append(" | ".join(texts))
    if page_break:
        lines.append(PAGE_BREAK)
