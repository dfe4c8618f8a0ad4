"""Scans made from the project's own PDFs, with their true text: the OCR test set.

Each page of a bundled PDF is rendered with pdftoppm (200 or 300 dpi, grey),
optionally degraded (noise, a slight rotation, JPEG artefacts at two levels)
and put back into an image-only PDF; the page's text layer, read by pypdf, is
the truth. `character_error_rate` compares OCR's text with it after both are
normalised (Unicode NFKC, one kind of quote and dash, whitespace collapsed),
so only characters count, not line breaks.

    python -m eval.ocr_set cer [--pages 32] [--shard 1/3] 2> LOG    CER per page and condition (JSON lines)
    python -m eval.ocr_set merge LOG...                            mean CER per condition and language, pages/s
    python -m eval.ocr_set corpus OUT             the bundled corpus with every PDF replaced by its scan
    python -m eval.ocr_set retrieval [--data DIR]  nDCG@10 of the bundled set: text PDFs against their scans
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest import ocr

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "documents"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Condition:
    """How a page is scanned: resolution, grey noise (std dev), rotation (degrees, ±) and JPEG quality (None: PNG)."""

    name: str
    dpi: int
    noise: float = 0.0
    rotation: float = 0.0
    jpeg: int | None = None


CONDITIONS = {
    "300-clean": Condition("300-clean", 300),
    "200-clean": Condition("200-clean", 200),
    "300-light": Condition("300-light", 300, noise=12.0, rotation=0.6, jpeg=70),
    "300-heavy": Condition("300-heavy", 300, noise=24.0, rotation=1.2, jpeg=35),
    "200-light": Condition("200-light", 200, noise=12.0, rotation=0.6, jpeg=70),
}
SCAN_CONDITION = CONDITIONS["300-light"]  # the corpus for the retrieval evaluation: a plain office scan


def degrade(png: bytes, condition: Condition, seed: int) -> tuple[bytes, str]:
    """The page image as a scanner would give it: (image bytes, 'png' or 'jpeg')."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    rng = random.Random(seed)
    if condition.rotation:
        angle = rng.uniform(condition.rotation / 2, condition.rotation) * rng.choice((-1, 1))
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if condition.noise:
        pixels = np.asarray(image, dtype=np.float32)
        noise = np.random.default_rng(seed).normal(0.0, condition.noise, pixels.shape)
        image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    if condition.jpeg:
        image.save(out, "JPEG", quality=condition.jpeg)
        return out.getvalue(), "jpeg"
    image.save(out, "PNG")
    return out.getvalue(), "png"


def render(pdf: Path, number: int, dpi: int, folder: Path) -> bytes:
    return ocr.render_page(pdf, number, folder, dpi=dpi, timeout=120).read_bytes()


def scan_pdf(source: Path, target: Path, condition: Condition, seed: int = 0) -> int:
    """Write an image-only copy of `source` scanned under `condition`; returns its number of pages."""
    from fpdf import FPDF
    from pypdf import PdfReader

    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(source).pages]
    document = FPDF(unit="pt")
    with tempfile.TemporaryDirectory(prefix="procsearch-scan-") as folder:
        for number, (width, height) in enumerate(sizes, start=1):
            image, _ = degrade(render(source, number, condition.dpi, Path(folder)), condition, seed + number)
            document.add_page(format=(width, height))
            document.image(io.BytesIO(image), x=0, y=0, w=width, h=height)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.output(str(target))
    return len(sizes)


_UNIFIED: dict[str, str | int | None] = {  # one kind of quote, dash and space
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "\u00a0": " ",
    "\u202f": " ",
}


def normalise(text: str) -> str:
    """What CER compares: NFKC, one kind of quote, dash and space, hyphenated line ends joined."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans(_UNIFIED))
    text = re.sub(r"-\s*\n\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (the left-neighbour step as a running minimum)."""
    if not a or not b:
        return max(len(a), len(b))
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    positions = np.arange(len(b) + 1)
    row = positions.copy()
    for i, char in enumerate(a, start=1):
        cost = (codes_b != ord(char)).astype(np.int64)
        diagonal = np.empty(len(b) + 1, dtype=np.int64)
        diagonal[0] = i
        diagonal[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(diagonal - positions) + positions
    return int(row[-1])


def character_error_rate(recognised: str, truth: str) -> float:
    truth, recognised = normalise(truth), normalise(recognised)
    return edit_distance(recognised, truth) / max(1, len(truth))


def sample_pages(count: int, corpus: Path = CORPUS) -> list[tuple[Path, int, str, str]]:
    """(pdf, page, language, true text): `count` pages with text, half French, half English, spread over files."""
    from pypdf import PdfReader

    chosen: list[tuple[Path, int, str, str]] = []
    for language in ("fr", "en"):
        files = sorted((corpus / language).rglob("*.pdf"))
        candidates = [
            (pdf, n, language, page.extract_text() or "")
            for pdf in files
            for n, page in enumerate(PdfReader(pdf).pages, start=1)
        ]
        candidates = [c for c in candidates if len(c[3].strip()) > 300]
        random.Random(19).shuffle(candidates)
        chosen += sorted(candidates[: count // 2], key=lambda c: (str(c[0]), c[1]))
    return chosen


def word_order_free(text: str) -> str:
    """The normalised words in sorted order: reading order (table cells, columns) no longer counts."""
    return " ".join(sorted(normalise(text).split(" ")))


def page_rates(recognised: str, truth: str) -> dict[str, float]:
    """CER in reading order, and word-order-free (an upper bound on misread characters: a misread word
    sorts elsewhere and costs its length twice)."""
    order_free = word_order_free(truth)
    return {
        "cer": character_error_rate(recognised, truth),
        "cer_words": edit_distance(word_order_free(recognised), order_free) / max(1, len(order_free)),
    }


def measure(
    pages: int,
    conditions: list[str],
    shard: tuple[int, int] = (1, 1),
    done: frozenset[tuple[str, int, str]] = frozenset(),
    languages: tuple[str, ...] = ("fr", "en"),
) -> dict[str, object]:
    """Per page and condition: CER (both kinds) and OCR seconds (rendering included); `shard` (i, n) takes
    every n-th page from the i-th, so n processes can share the set. `python -m eval.ocr_set merge` sums up.

    Conditions named 'NAME:single' read with the page's own language model instead of fra+eng; `done` holds
    the (pdf name, page, condition) already measured by an earlier run, which are skipped.
    """
    from pypdf import PdfReader, PdfWriter

    sample = [p for p in sample_pages(pages) if p[2] in languages][shard[0] - 1 :: shard[1]]
    rows = []
    with tempfile.TemporaryDirectory(prefix="procsearch-cer-") as folder:
        work = Path(folder)
        for index, (pdf, number, language, truth) in enumerate(sample):
            single = work / "page.pdf"
            writer = PdfWriter()
            writer.add_page(PdfReader(pdf).pages[number - 1])
            writer.write(single)
            for key in conditions:
                if (pdf.name, number, key) in done:
                    continue
                name, _, model = key.partition(":")
                scanned = work / f"{name}.pdf"
                if not model:
                    scan_pdf(single, scanned, CONDITIONS[name], seed=index)
                lang = {"fr": "fra", "en": "eng"}[language] if model == "single" else ocr.LANGUAGES
                started = time.monotonic()
                image = ocr.render_page(scanned, 1, work, dpi=ocr.DPI, timeout=900)
                text = ocr.read_image(image, timeout=900, languages=lang)
                rows.append(
                    {
                        "pdf": pdf.name,
                        "page": number,
                        "language": language,
                        "condition": key,
                        "seconds": round(time.monotonic() - started, 2),
                        **page_rates(text, truth),
                    }
                )
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return {"rows": rows}


def summarise(rows: list[dict[str, Any]]) -> dict[str, object]:
    """Mean CER per condition and language, worst page, and pages/s."""
    out: dict[str, object] = {"pages": len({(r["pdf"], r["page"]) for r in rows})}
    for key in dict.fromkeys(str(r["condition"]) for r in rows):
        mine = [r for r in rows if r["condition"] == key]
        figures: dict[str, object] = {"pages": len(mine)}
        for language in ("fr", "en"):
            rates = [r for r in mine if r["language"] == language]
            for kind in ("cer", "cer_words"):
                figures[f"{kind}_{language}"] = round(float(np.mean([r[kind] for r in rates])), 4) if rates else None
        figures["cer_words_worst_page"] = round(max(float(r["cer_words"]) for r in mine), 4)
        figures["pages_per_s"] = round(len(mine) / sum(float(r["seconds"]) for r in mine), 3)
        out[key] = figures
    return out


def build_corpus(target: Path, condition: Condition = SCAN_CONDITION, corpus: Path = CORPUS) -> int:
    """A copy of the corpus (every file, same paths) where each PDF is replaced by its scan; returns scanned PDFs."""
    scanned = 0
    for path in sorted(corpus.rglob("*")):
        if not path.is_file():
            continue
        out = target / path.relative_to(corpus)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".pdf":
            if not out.exists() or out.stat().st_mtime < path.stat().st_mtime:  # a run cut short resumes
                partial = out.with_suffix(".part")
                scan_pdf(path, partial, condition, seed=scanned)
                partial.replace(out)
            scanned += 1
        else:
            shutil.copyfile(path, out)
    return scanned


def _rows(logs: list[Path]) -> list[dict]:
    return [json.loads(line) for log in logs for line in log.read_text().splitlines() if line.startswith("{")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.ocr_set", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cer = sub.add_parser("cer", help="CER per scan condition, one JSON line per page and condition on stderr")
    cer.add_argument("--pages", type=int, default=32)
    cer.add_argument(
        "--conditions",
        default="300-clean,300-light,300-heavy,200-clean",
        help="names from CONDITIONS; NAME:single reads with the page's own language model",
    )
    cer.add_argument("--shard", default="1/1", help="i/n: every n-th page from the i-th (n processes in parallel)")
    cer.add_argument("--language", choices=("fr", "en"), help="only the pages of this language")
    cer.add_argument("--skip-done", type=Path, nargs="*", default=[], help="logs of earlier runs: skip what they hold")
    merge = sub.add_parser("merge", help="summary of the JSON lines written by `cer` runs")
    merge.add_argument("logs", type=Path, nargs="+")
    corpus = sub.add_parser("corpus", help="the bundled corpus with its PDFs scanned")
    corpus.add_argument("target", type=Path)
    retrieval = sub.add_parser("retrieval", help="the bundled evaluation set over the text PDFs and over their scans")
    retrieval.add_argument("--data", type=Path, default=Path("data/ocr-retrieval"), help="stores (kept, reused)")
    retrieval.add_argument("--scans", type=Path, help="the scanned corpus (default: DATA/corpus; built if missing)")
    retrieval.add_argument("--mode", default="hybrid,lexical,dense", help="search modes, comma-separated")
    retrieval.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    reason = ocr.unavailable()
    if reason:
        print(f"OCR unavailable: {reason}", file=sys.stderr)
        return 1
    if args.command == "cer":
        shard = tuple(int(x) for x in args.shard.split("/"))
        done = frozenset((r["pdf"], r["page"], r["condition"]) for r in _rows(args.skip_done))
        languages = (args.language,) if args.language else ("fr", "en")
        print(json.dumps(measure(args.pages, args.conditions.split(","), (shard[0], shard[1]), done, languages)))
    elif args.command == "retrieval":
        from eval.ocr_retrieval import compare

        modes = tuple(m.strip() for m in args.mode.split(",") if m.strip())
        result = compare(args.scans or args.data / "corpus", args.data, modes, workers=args.workers)
        print(json.dumps(result, indent=1))
        return 0 if result["passed"] else 1
    elif args.command == "merge":
        print(json.dumps(summarise(_rows(args.logs)), indent=1))
    else:
        started = time.monotonic()
        count = build_corpus(args.target)
        print(f"{count} PDFs scanned ({SCAN_CONDITION.name}) into {args.target} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
