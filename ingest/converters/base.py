"""What every converter returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.errors import IngestError


@dataclass(frozen=True)
class Extracted:
    """Raw (uncleaned) page texts plus whatever metadata the file itself carries."""

    pages: list[str]
    title: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    is_pdf: bool = False
    warnings: list[str] = field(default_factory=list)
    ocr_pages: tuple[int, ...] = ()  # 1-based numbers of the pages whose text was read by OCR


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to cp1252 which never fails on bytes."""
    if not data.strip():
        raise IngestError("empty file")
    if b"\x00" in data[:4096]:
        raise IngestError("binary content in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
