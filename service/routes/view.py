"""`/view/{id}`: a Markdown or text document as a readable page, its sections anchored.

The original file of a Markdown document is markup, and a browser shows it raw;
this page renders it. Front matter is the document's metadata, shown as such
(a definition list), never as text. Every heading gets an id from `section_anchor`,
the same function that turns a passage's section ("Titre II > Article 14") into
the link's fragment, so a result opens at its section.

Nothing from the file reaches the page unescaped: Markdown is rendered with raw
HTML off (a `<script>` in the file shows as text) and markdown-it's link check
(no `javascript:` links); text files are escaped paragraph by paragraph.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path
from typing import cast

from litestar import Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.response import Template
from markdown_it import MarkdownIt

from index.collection import Collection
from ingest.converters.base import decode_text
from ingest.converters.markdown import split_front_matter, strip_mdx
from ingest.errors import ModelError, NotFoundError, StoreError
from service.i18n import UI_LANGUAGES, choose_ui, translations
from service.responses import document_summary
from service.routes.deps import require_reader
from service.settings import Settings

MARKDOWN = (".md", ".markdown", ".mdx")
TEXT = (".txt",)
VIEWABLE = MARKDOWN + TEXT
MAX_VIEW_BYTES = 5 * 1024 * 1024  # larger files open as the original file instead


def section_anchor(section: str) -> str:
    """Fragment id of a section: its last heading, folded to ASCII words ('Titre II > Article 14' → 's-article-14')."""
    last = section.split(" > ")[-1]
    folded = unicodedata.normalize("NFKD", last.lower())
    words = re.findall(r"[a-z0-9]+", "".join(c for c in folded if not unicodedata.combining(c)))
    return "s-" + "-".join(words)[:80] if words else ""


def viewable(source: str) -> bool:
    return source.lower().endswith(VIEWABLE)


def view_url(document_id: str, source: str, section: str | None = None) -> str | None:
    """The rendered page of a Markdown or text document, at `section`; None for other formats."""
    if not viewable(source):
        return None
    anchor = section_anchor(section) if section else ""
    return f"/view/{document_id}" + (f"#{anchor}" if anchor else "")


def _unique(anchor: str, seen: dict[str, int]) -> str:
    seen[anchor] = seen.get(anchor, 0) + 1
    return anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}"


def render_markdown(body: str) -> str:
    """HTML of a Markdown body, raw HTML escaped, each heading with its section anchor as id."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(body)
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            anchor = section_anchor(tokens[i + 1].content)
            if anchor:
                token.attrSet("id", _unique(anchor, seen))
    return md.renderer.render(tokens, md.options, {})


def render_text(body: str, headings: set[str]) -> str:
    """HTML of a text file: escaped paragraphs; a line that is one of the document's section headings is a heading."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for block in re.split(r"\n\s*\n|\f", body):
        lines = [line.strip() for line in block.strip().split("\n")]
        if not any(lines):
            continue
        if len(lines) == 1 and lines[0] in headings:
            anchor = _unique(section_anchor(lines[0]), seen)
            out.append(f'<h2 id="{anchor}">{html.escape(lines[0])}</h2>')
        else:
            out.append("<p>" + "<br>\n".join(html.escape(line) for line in lines) + "</p>")
    return "\n".join(out)


def render_document(path: Path, data: bytes, headings: set[str]) -> tuple[dict[str, object], str]:
    """(front matter, HTML body) of a Markdown or text file."""
    text = decode_text(data).replace("\r\n", "\n")
    if path.suffix.lower() in MARKDOWN:
        meta, body, _ = split_front_matter(text)
        if path.suffix.lower() == ".mdx":
            body = strip_mdx(body)
        return meta, render_markdown(body)
    return {}, render_text(text, headings)


@get("/view/{document_id:str}", sync_to_thread=True, include_in_schema=False, name="view-page")
def view_page(request: Request, collection: Collection, settings: Settings, document_id: str) -> Template:
    explicit = request.query_params.get("ui")
    explicit = explicit if explicit in UI_LANGUAGES else None
    ui = choose_ui(explicit, request.headers.get("accept-language"))
    t = translations(ui)
    strings = cast("dict[str, str]", t["t"])
    context: dict[str, object] = {"ui": ui, "ui_param": explicit, "switch": [], "home_url": "/", **t}
    headers = {"Content-Language": ui}
    try:
        require_reader(request, settings)
        record = collection.document(document_id).record
        path = Path(record.path)
        if not viewable(record.source) or not path.is_file() or path.stat().st_size > MAX_VIEW_BYTES:
            raise NotFoundError(f"'{document_id}' has no readable view: open its original file")
        headings = {c.section.split(" > ")[-1] for c in collection.chunks(document_id)}
        meta, body = render_document(path, path.read_bytes(), headings)
    except NotAuthorizedException:
        return Template(
            "message.html",
            context={**context, "title": strings["error_title"], "message": strings["error_auth"]},
            status_code=401,
            headers=headers,
        )
    except NotFoundError as exc:
        return Template(
            "message.html",
            context={**context, "title": strings["error_not_found"], "message": str(exc)},
            status_code=404,
            headers=headers,
        )
    except (StoreError, ModelError) as exc:
        return Template(
            "message.html",
            context={**context, "title": strings["error_title"], "message": str(exc)},
            status_code=503,
            headers=headers,
        )
    doc = document_summary(record)
    shown = {str(k): ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in meta.items()}
    context.update(doc=doc, meta=shown, body=body, title=doc.title)
    return Template("view.html", context=context, headers=headers)
