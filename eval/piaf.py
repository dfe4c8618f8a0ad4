"""PIAF (Etalab, service-public.fr): a public French benchmark turned into BEIR files.

Our own evaluation set is small and written by the project; PIAF's questions
come from real annotators on real administrative sheets, so it tells whether
French retrieval holds up on text we did not write. It is not procurement.

The material stays in ../shared (never copied into the repository):
`prepare_piaf` writes a scratch corpus (one text file per sheet, named by the
sheet id, so the harness matches qrels by file stem) and BEIR queries/qrels.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from eval.baselines import add_baselines
from eval.beir import Qrels, Query, load_qrels, load_queries, write_qrels, write_queries
from eval.run import EvalReport, evaluate
from index.embedder import Embedder
from ingest.vocabulary import MODES
from service.settings import Settings

DEFAULT_SHARED = Settings.from_env().shared_dir  # ../shared unless PROCSEARCH_SHARED says
SHEETS_FILE = "spf_qr_test.json"
HALVES = ("tune", "test")  # PIAF's questions in file order: the first half to tune on, the second to report
QUESTIONS_FILE = "questions_spf.json"


def find_piaf(shared_dir: Path | str | None = None) -> Path:
    """The PIAF folder under `shared_dir` (or the folder itself); FileNotFoundError saying where it looked."""
    shared = Path(shared_dir) if shared_dir else DEFAULT_SHARED
    candidates = [shared / "eval" / "piaf", shared]
    for folder in candidates:
        if (folder / SHEETS_FILE).is_file() and (folder / QUESTIONS_FILE).is_file():
            return folder
    looked = " and ".join(str(c.resolve()) for c in candidates)
    raise FileNotFoundError(
        f"PIAF benchmark not found: looked for {SHEETS_FILE} and {QUESTIONS_FILE} in {looked} "
        "(it ships in ../shared/eval/piaf beside the repository)"
    )


def read_sheets(path: Path) -> dict[str, str]:
    """sheet id → text from the SQuAD file (`title` is the id, the first paragraph's context the text)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    sheets: dict[str, str] = {}
    for entry in data.get("data", []):
        paragraphs = entry.get("paragraphs") or []
        text = "\n".join(str(p.get("context", "")) for p in paragraphs).strip()
        if entry.get("title") and text:
            sheets[str(entry["title"])] = text
    return sheets


def read_questions(path: Path) -> list[tuple[str, str, str]]:
    """(sheet id, question, sheet text) rows."""
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [(str(r[0]), str(r[1]).strip(), str(r[2])) for r in rows if len(r) >= 3 and str(r[1]).strip()]


def sheet_file_text(text: str) -> str:
    """The file body of one sheet: its text as given.

    A sheet has no title of its own in PIAF; the only title-like string is
    the annotator's question (service-public titles are phrased as questions),
    and putting it into the document would hand the answer to the retriever.
    So the first line is the text's own first line, and ingestion derives the
    title from it as it would for any plain-text file.
    """
    return text.strip() + "\n"


def piaf_half(number: int, total: int) -> str:
    """`tune` for the first ceil(total / 2) questions in file order (piaf-001 … piaf-268 of 535), else `test`.

    A fixed rule, chosen before any tuning: weights are chosen on the first half
    and the figures reported on the second, which no choice has seen. Each
    question has its own sheet, so the halves share no relevant document.
    """
    return "tune" if number <= (total + 1) // 2 else "test"


def prepare_piaf(
    shared_dir: Path | str | None, out_dir: Path | str, half: str | None = None
) -> tuple[Path, Path, Path]:
    """Write `out_dir/piaf/<sheet_id>.txt`, `out_dir/queries.jsonl`, `out_dir/qrels.tsv`; return the three paths.

    The 530 sheets of spf_qr_test.json are the corpus. Five questions point to
    sheets missing from it; their rows carry the sheet text, so those sheets
    are added from there rather than leaving five questions unanswerable.
    With `half` ("tune" or "test"), only that half's questions are written
    (the corpus stays whole); every query carries its half in its metadata.
    """
    if half is not None and half not in HALVES:
        raise ValueError(f"unknown half '{half}': use one of {', '.join(HALVES)}")
    folder = find_piaf(shared_dir)
    sheets = read_sheets(folder / SHEETS_FILE)
    questions = read_questions(folder / QUESTIONS_FILE)
    for sheet_id, _, text in questions:
        if sheet_id not in sheets and text.strip():
            sheets[sheet_id] = text.strip()
    out = Path(out_dir)
    corpus = out / "piaf"
    corpus.mkdir(parents=True, exist_ok=True)
    for sheet_id, text in sheets.items():
        target = corpus / f"{sheet_id}.txt"
        body = sheet_file_text(text)
        if not target.is_file() or target.read_text(encoding="utf-8") != body:
            target.write_text(body, encoding="utf-8")
    queries: list[Query] = []
    qrels: Qrels = {}
    for number, (sheet_id, question, _) in enumerate(questions, start=1):
        query_id = f"piaf-{number:03d}"
        own_half = piaf_half(number, len(questions))
        if half is not None and own_half != half:
            continue
        queries.append(
            Query(
                query_id,
                question,
                language="fr",
                answer_languages=("fr",),
                cross_lingual=False,
                style="question",
                metadata={"benchmark": "piaf", "half": own_half},
            )
        )
        qrels[query_id] = {sheet_id: 1}
    queries_path, qrels_path = out / "queries.jsonl", out / "qrels.tsv"
    write_queries(queries_path, queries)
    write_qrels(qrels_path, qrels)
    return corpus, queries_path, qrels_path


def evaluate_piaf(
    shared_dir: Path | str | None = None,
    modes: Sequence[str] = MODES,
    data_dir: Path | str | None = None,
    k: int = 10,
    model: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    half: str | None = None,
    baselines: bool = False,
    embedder: Embedder | None = None,
) -> EvalReport:
    """Prepare PIAF in a scratch folder and evaluate it (reusing `data_dir`'s index when given).

    `half` keeps one half of the questions; `baselines` adds the plain baselines' rows (eval/baselines.py).
    """
    embedder = embedder or Settings.from_env().embedder(model)
    with tempfile.TemporaryDirectory(prefix="procsearch-piaf-") as scratch:
        corpus, queries_path, qrels_path = prepare_piaf(shared_dir, scratch, half)
        report = evaluate(
            queries_path, qrels_path, [corpus], modes, data_dir=data_dir, k=k, progress=progress, embedder=embedder
        )
        if baselines:
            report = add_baselines(
                report, load_queries(queries_path), load_qrels(qrels_path), [corpus], embedder, k=k, progress=progress
            )
        return report
