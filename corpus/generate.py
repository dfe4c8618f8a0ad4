"""Build the bundled procsearch corpus from its Markdown sources.

Sources live in ``corpus/sources/<lang>/<doc_type>/<slug>.md``: TOML front
matter between ``+++`` lines, then a small Markdown body. Each source becomes
one file in ``corpus/documents/<lang>/<doc_type>s/`` in the format it asks for
(pdf, md or txt), and ``corpus/documents/catalog.toml`` records the metadata of
every generated file. PDFs carry a running header and a "Page N / M" footer on
purpose: real procurement PDFs do, and ingestion must learn to strip them.

Run with: ``.venv/bin/python corpus/generate.py``
"""

import re
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ingest.vocabulary import DOC_TYPES

ROOT = Path(__file__).resolve().parent
SOURCES = ROOT / "sources"
DOCUMENTS = ROOT / "documents"
CATALOG = DOCUMENTS / "catalog.toml"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)  # keeps PDF bytes stable
FORMATS = {"pdf", "md", "txt"}
CATALOG_KEYS = ("title", "doc_type", "year", "date", "buyer", "themes", "language")
HEADING_SIZES = {1: 16, 2: 13, 3: 11.5}
BODY_SIZE, LINE_HEIGHT = 10, 5.2
PAGEBREAK = "<!-- pagebreak -->"


def read_source(path: Path) -> tuple[dict, str]:
    """Split a source into validated metadata and Markdown body, failing loudly on bad input."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\+\+\+\n(.*?)\n\+\+\+\n(.*)", text, re.S)
    if not match:
        raise ValueError(f"{path}: missing +++ front matter")
    meta = tomllib.loads(match.group(1))
    meta.setdefault("format", "pdf")
    missing = {"title", "doc_type", "year", "buyer", "themes", "language"} - meta.keys()
    if missing:
        raise ValueError(f"{path}: missing keys {sorted(missing)}")
    if meta["doc_type"] not in DOC_TYPES or meta["format"] not in FORMATS:
        raise ValueError(f"{path}: bad doc_type or format")
    if meta["language"] != path.parent.parent.name or meta["doc_type"] != path.parent.name:
        raise ValueError(f"{path}: language/doc_type disagree with folder")
    return meta, match.group(2).strip() + "\n"


def output_path(meta: dict, slug: str) -> Path:
    """Map a source to its generated file; 'minutes' is already plural."""
    doc_type = meta["doc_type"]
    folder = doc_type if doc_type.endswith("s") else doc_type + "s"
    return DOCUMENTS / meta["language"] / folder / f"{slug}.{meta['format']}"


def parse_blocks(body: str) -> list[tuple[str, object]]:
    """Turn the Markdown body into (kind, payload) blocks the renderers share."""
    blocks, paragraph, table = [], [], []

    def flush() -> None:
        if paragraph:
            blocks.append(("para", " ".join(paragraph)))
            paragraph.clear()
        if table:
            rows = [r for r in table if not re.fullmatch(r"[\s|:-]+", r)]
            blocks.append(("table", [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]))
            table.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            if paragraph:
                flush()
            table.append(line)
            continue
        if table or not line:
            flush()
        if not line:
            continue
        if line == PAGEBREAK:
            blocks.append(("pagebreak", None))
        elif heading := re.match(r"(#{1,3})\s+(.*)", line):
            flush()
            blocks.append((f"h{len(heading.group(1))}", heading.group(2)))
        elif line.startswith(("- ", "* ")):
            flush()
            blocks.append(("bullet", line[2:]))
        else:
            paragraph.append(line)
    flush()
    return blocks


class CorpusPDF(FPDF):
    """A4 document whose header and footer repeat on every page, like real tender files."""

    def __init__(self, running_header: str) -> None:
        super().__init__(format="A4")
        self.running_header = running_header
        for style, name in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"), ("I", "DejaVuSans-Oblique")):
            self.add_font("DejaVu", style, str(FONT_DIR / f"{name}.ttf"))
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)

    def header(self) -> None:
        self.set_font("DejaVu", "I", 8)
        self.set_text_color(90)
        self.cell(0, 5, self.running_header, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(20, self.get_y(), self.w - 20, self.get_y())
        self.set_text_color(0)
        self.ln(6)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"Page {self.page_no()} / {{nb}}", align="C")
        self.set_text_color(0)


def render_pdf(meta: dict, blocks: list) -> tuple[bytes, int]:
    """Lay the blocks out with DejaVu fonts so accents, œ, « » and € stay real text."""
    pdf = CorpusPDF(meta.get("header", meta["title"]))
    pdf.set_title(meta["title"])
    pdf.set_author(meta["buyer"])
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    previous = None
    for kind, payload in blocks:
        if previous == "bullet" and kind != "bullet":
            pdf.ln(2)  # let a list breathe before the next block
        previous = kind
        if kind == "pagebreak":
            pdf.add_page()
        elif kind.startswith("h"):
            if pdf.get_y() > pdf.page_break_trigger - 25:  # never leave a heading orphaned
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font("DejaVu", "B", HEADING_SIZES[int(kind[1])])
            pdf.multi_cell(0, 7, payload.replace("**", ""), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif kind == "para":
            pdf.set_font("DejaVu", "", BODY_SIZE)
            pdf.multi_cell(0, LINE_HEIGHT, payload, markdown=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif kind == "bullet":
            pdf.set_font("DejaVu", "", BODY_SIZE)
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(5, LINE_HEIGHT, "•")
            pdf.multi_cell(0, LINE_HEIGHT, payload, markdown=True, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.8)
        elif kind == "table":
            pdf.set_font("DejaVu", "", 9)
            with pdf.table(markdown=True, text_align="LEFT", line_height=4.8) as table:
                for row in payload:
                    table.row(row)
            pdf.ln(3)
    return bytes(pdf.output()), pdf.pages_count


def render_markdown(meta: dict, body: str) -> bytes:
    """Keep the Markdown body and restate the metadata as TOML front matter."""
    lines = ["+++"] + [f"{key} = {toml_value(meta[key])}" for key in CATALOG_KEYS if key in meta]
    return ("\n".join(lines + ["+++", ""]) + body.replace(PAGEBREAK + "\n", "")).encode("utf-8")


def render_text(blocks: list) -> bytes:
    """Strip Markdown markup lightly, as if the file had been typed in a text editor."""
    out = []
    for kind, payload in blocks:
        if kind == "pagebreak":
            continue
        if kind == "table":
            out.append("\n".join("  ".join(c.replace("**", "") for c in row) for row in payload))
        elif kind == "bullet":
            out.append("- " + payload.replace("**", ""))
        elif kind == "h1":
            out.append(payload.upper())
        else:
            out.append(str(payload).replace("**", ""))
    return ("\n\n".join(out) + "\n").encode("utf-8")


def toml_value(value: object) -> str:
    """Write a TOML scalar or string list by hand, escaping backslashes and quotes."""
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def write_if_changed(path: Path, data: bytes) -> str:
    """Avoid touching files whose bytes are unchanged, so git stays quiet."""
    if path.exists() and path.read_bytes() == data:
        return "unchanged"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return "written"


def write_catalog(entries: dict[str, dict]) -> None:
    """Write catalog.toml sorted by path and prove it parses before trusting it."""
    chunks = []
    for key in sorted(entries):
        lines = [f"[{toml_value(key)}]"]
        lines += [f"{k} = {toml_value(entries[key][k])}" for k in CATALOG_KEYS if k in entries[key]]
        chunks.append("\n".join(lines))
    text = "\n\n".join(chunks) + "\n"
    if set(tomllib.loads(text)) != set(entries):
        raise RuntimeError("catalog.toml does not round-trip")
    write_if_changed(CATALOG, text.encode("utf-8"))


def remove_stale(keep: set[Path]) -> list[Path]:
    """Delete generated files whose source disappeared (never outside documents/)."""
    stale = [p for p in DOCUMENTS.rglob("*") if p.is_file() and p != CATALOG and p not in keep]
    for path in stale:
        path.unlink()
    for folder in sorted(DOCUMENTS.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return stale


def main() -> int:
    entries, written = {}, set()
    for source in sorted(SOURCES.glob("*/*/*.md")):
        meta, body = read_source(source)
        target = output_path(meta, source.stem)
        if target in written:
            raise ValueError(f"{source}: duplicate output {target}")
        blocks = parse_blocks(body)
        pages = ""
        if meta["format"] == "pdf":
            data, count = render_pdf(meta, blocks)
            pages = f" ({count} p.)"
        elif meta["format"] == "md":
            data = render_markdown(meta, body)
        else:
            data = render_text(blocks)
        status = write_if_changed(target, data)
        written.add(target)
        key = target.relative_to(DOCUMENTS).as_posix()
        entries[key] = {k: meta[k] for k in CATALOG_KEYS if k in meta}
        print(f"{status:9} {key}{pages}")
    write_catalog(entries)
    for path in remove_stale(written):
        print(f"removed   {path.relative_to(DOCUMENTS).as_posix()}")
    print(f"{len(entries)} documents, catalog at {CATALOG.relative_to(ROOT.parent).as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
