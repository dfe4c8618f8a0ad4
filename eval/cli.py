"""`procsearch eval`: the table for people, `--json` for machines."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from collections.abc import Callable

from eval.baselines import add_baselines
from eval.beir import load_qrels, load_queries
from eval.piaf import evaluate_piaf
from eval.run import DEFAULT_CORPUS, DEFAULT_QRELS, DEFAULT_QUERIES, EvalReport, evaluate, format_table, report_to_dict
from eval.shared_set import evaluate_shared


def failed_queries(report: EvalReport, limit: int = 15) -> str:
    lines = []
    for mode in report.modes:
        if mode.failed:
            ids = ", ".join(r.query_id for r in mode.failed[:limit])
            more = f" (+{len(mode.failed) - limit} more)" if len(mode.failed) > limit else ""
            lines.append(f"{mode.mode}: {len(mode.failed)} queries with nDCG@{report.k} = 0: {ids}{more}")
    return "\n".join(lines)


def run_fields_command(args: Namespace) -> int:
    """`procsearch eval --fields`: tender-field precision and recall on eval/fields/judged.jsonl."""
    from eval.tender_fields import evaluate_fields, fields_report_to_dict, format_fields_table

    report = evaluate_fields()
    if args.json:
        print(json.dumps(fields_report_to_dict(report), ensure_ascii=False, indent=1))
        return 0
    print(f"{report.documents} judged documents" + (f"; not scored: {report.failed}" if report.failed else ""))
    print(format_fields_table(report))
    return 0


def run_doctypes_command(args: Namespace, progress) -> int:
    from eval.doctype_set import doctype_report_dict, evaluate_doctypes, format_report

    corpus = args.corpus[0] if args.corpus else None
    found = evaluate_doctypes(corpus, progress=progress)
    if progress:
        print(file=sys.stderr)
    print(json.dumps(doctype_report_dict(found), indent=1) if args.json else format_report(found))
    return 0


def run_eval_command(args: Namespace, settings) -> int:
    if getattr(args, "fields", False):
        return run_fields_command(args)
    modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    data_dir = settings.data_dir if args.reuse_data else None
    progress: Callable[[int, int, str], None] | None = None
    if sys.stderr.isatty():

        def show(done: int, total: int, label: str) -> None:
            print(f"\r{done}/{total} {label[-50:]:50}", end="", file=sys.stderr, flush=True)

        progress = show

    if getattr(args, "doctypes", False):
        return run_doctypes_command(args, progress)
    half = getattr(args, "half", None)
    baselines = bool(getattr(args, "baselines", False))
    if half and not (args.piaf or args.shared):
        print("error: --half splits the --shared and --piaf sets only", file=sys.stderr)
        return 2
    if args.piaf:
        report = evaluate_piaf(
            modes=modes, data_dir=data_dir, model=settings.model, progress=progress, half=half, baselines=baselines
        )
    elif args.shared:
        corpus = args.corpus[0] if args.corpus else None
        report = evaluate_shared(
            modes=modes,
            corpus=corpus,
            data_dir=data_dir,
            model=settings.model,
            progress=progress,
            half=half,
            baselines=baselines,
        )
    else:
        embedder = settings.embedder()
        report = evaluate(
            args.queries, args.qrels, args.corpus, modes, data_dir=data_dir, progress=progress, embedder=embedder
        )
        if baselines:
            report = add_baselines(
                report,
                load_queries(args.queries or DEFAULT_QUERIES),
                load_qrels(args.qrels or DEFAULT_QRELS),
                args.corpus or [DEFAULT_CORPUS],
                embedder,
                progress=progress,
            )
    if progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report_to_dict(report), ensure_ascii=False, indent=1, default=str))
        return 0
    print(f"{report.documents} documents; {sum(1 for _ in report.modes[0].queries)} judged queries")
    print(format_table(report))
    failed = failed_queries(report)
    if failed:
        print(failed)
    return 0
