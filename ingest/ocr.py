"""Text for PDF pages without a usable text layer: render with pdftoppm, read with Tesseract.

Both run as child processes of the parser worker, so they inherit its lower
priority and memory limit, and a page that takes too long is killed alone:
each page has PAGE_TIMEOUT_S (pdftoppm and Tesseract each), clipped to what
is left of the file's own time limit so the worker's soft limit never has to
interrupt a child. Pages past that point are reported, not lost silently.

French and English models are loaded together (`fra+eng`): on the scan set of
docs/ocr.md they read both languages within 0.1 point of CER of the right
single model, where a detection pass would cost a second OCR of every page.
Tesseract gets one thread (OMP_THREAD_LIMIT=1): with OpenMP on two busy cores
a page took four times longer.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.errors import IngestError
from ingest.ocr_layout import erase_rules, words_in_order

LANGUAGES = "fra+eng"
DPI = 300  # Tesseract's models are trained on text of this size; 200 dpi loses small print (docs/ocr.md)
PAGE_TIMEOUT_S = 120.0  # a page reads in 2–10 s; at load 15 on 2 cores rendering alone once took over 60 s
RESERVE_S = 10.0  # of the file's time limit, kept for cleaning, chunking and handing back the result
HOW_TO_ENABLE = (
    "install Tesseract with its French and English models and poppler-utils "
    "(`make system-packages`, or apt-get install tesseract-ocr tesseract-ocr-fra "
    "tesseract-ocr-eng poppler-utils; the Docker image has them), then ingest again"
)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Budget:
    """How long one page may take, and the monotonic time by which OCR of the file must stop (None: no limit)."""

    page_timeout: float = PAGE_TIMEOUT_S
    deadline: float | None = None


@dataclass(frozen=True)
class Recognised:
    """OCR text per page number (1-based), and what could not be read, as warnings."""

    texts: dict[int, str]
    warnings: list[str]
    seconds: float


_budget = Budget()


@contextmanager
def budget(page_timeout: float = PAGE_TIMEOUT_S, file_timeout: float = 0) -> Iterator[Budget]:
    """Within this block, OCR stops each page at `page_timeout` and the file RESERVE_S before `file_timeout`."""
    global _budget
    previous = _budget
    deadline = None
    if file_timeout > 0:
        deadline = time.monotonic() + max(file_timeout - min(RESERVE_S, file_timeout / 5), file_timeout / 2)
    _budget = Budget(page_timeout if page_timeout > 0 else PAGE_TIMEOUT_S, deadline)
    try:
        yield _budget
    finally:
        _budget = previous


@lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why OCR cannot run on this machine (a sentence saying how to enable it), or None when it can."""
    try:
        import pytesseract
    except ImportError:
        return f"pytesseract is not installed; {HOW_TO_ENABLE}"
    if shutil.which("pdftoppm") is None:
        return f"pdftoppm (poppler-utils) is not installed; {HOW_TO_ENABLE}"
    try:
        languages = set(pytesseract.get_languages())
    except (pytesseract.TesseractNotFoundError, OSError):
        return f"Tesseract is not installed; {HOW_TO_ENABLE}"
    missing = [lang for lang in LANGUAGES.split("+") if lang not in languages]
    if missing:
        return f"Tesseract has no {'/'.join(missing)} model; {HOW_TO_ENABLE}"
    return None


def _left() -> float | None:
    """Seconds before OCR of this file must stop (None: no file limit)."""
    return None if _budget.deadline is None else _budget.deadline - time.monotonic()


def _page_timeout() -> float:
    left = _left()
    return _budget.page_timeout if left is None else max(0.1, min(_budget.page_timeout, left))


def render_page(pdf: Path, number: int, out: Path, dpi: int = DPI, timeout: float = PAGE_TIMEOUT_S) -> Path:
    """Page `number` of `pdf` as a grey PGM at `dpi`; raises IngestError when pdftoppm fails or times out.

    PGM, not PNG: compressing a noisy scan to PNG took pdftoppm 9.6 s of CPU a page, writing PGM 0.3 s.
    """
    root = out / f"page-{number}"
    try:
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                str(number),
                "-l",
                str(number),
                "-r",
                str(dpi),
                "-gray",
                "-singlefile",
                str(pdf),
                str(root),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError(f"page {number}: rendering for OCR took over {timeout:.0f} s") from exc
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()
        raise IngestError(f"page {number}: cannot be rendered for OCR ({detail[-1] if detail else exc})") from exc
    return root.with_suffix(".pgm")


def read_image(image: Path | str, timeout: float = PAGE_TIMEOUT_S, languages: str = LANGUAGES) -> str:
    """Tesseract's text for one grey image, with ruled tables read cell by cell (ingest.ocr_layout);
    raises IngestError on timeout or failure.

    The rules are erased into a copy beside the image (PGM, cheap to write) that Tesseract reads; its words
    and their boxes (image_to_data) are then put in reading order.
    """
    import numpy as np
    import pytesseract
    from PIL import Image

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # read by the Tesseract child, not by this process
    source = Path(image)
    with Image.open(source) as opened:
        grey = np.asarray(opened.convert("L"))
    clean, rules = erase_rules(grey)
    target = source
    if clean is not grey:
        target = source.with_name(f"{source.stem}-ruled.pgm")
        Image.fromarray(clean).save(target)
    try:
        data = pytesseract.image_to_data(
            str(target), lang=languages, timeout=timeout, output_type=pytesseract.Output.DICT
        )
    except RuntimeError as exc:  # pytesseract's "Tesseract process timeout"
        raise IngestError(f"OCR took over {timeout:.0f} s") from exc
    except pytesseract.TesseractError as exc:
        raise IngestError(f"OCR failed ({exc.message or exc.status})") from exc
    finally:
        if target != source:
            target.unlink(missing_ok=True)
    return words_in_order(data, rules)


def recognise_pages(data: bytes, numbers: list[int]) -> Recognised:
    """OCR of the given pages of a PDF, within the current budget; a page that fails is a warning, not an error."""
    reason = unavailable()
    if reason:
        raise IngestError(f"needs OCR: {reason}")
    started = time.monotonic()
    texts: dict[int, str] = {}
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="procsearch-ocr-") as folder:
        pdf = Path(folder) / "document.pdf"
        pdf.write_bytes(data)
        for position, number in enumerate(numbers):
            left = _left()
            if left is not None and left < 1:
                rest = numbers[position:]
                warnings.append(
                    f"OCR stopped at the file's time limit: {len(rest)} scanned page(s) from page "
                    f"{rest[0]} on are not indexed; split the document to index them"
                )
                break
            try:
                image = render_page(pdf, number, Path(folder), timeout=_page_timeout())
                texts[number] = read_image(image, timeout=_page_timeout())
                image.unlink(missing_ok=True)
            except IngestError as exc:
                message = str(exc) if str(exc).startswith("page ") else f"page {number}: {exc}"
                warnings.append(f"{message}; the page is not indexed")
    seconds = time.monotonic() - started
    log.info("OCR read %d page(s) in %.1f s", len(texts), seconds)
    return Recognised(texts, warnings, seconds)
