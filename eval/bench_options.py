"""What one `procsearch bench` run measures, and how much of it: shared by every bench module.

Its own module so that the bench's steps (bench_http, bench_load, …) and the runner (bench) each import
it, never one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "documents"
QUICK_FILES = (
    "fr/guides/fiche-offre-anormalement-basse-rargo-2019.txt",
    "en/minutes/northvale-procurement-board-2023-07-18-laptops-award.md",
    "fr/tenders/cctp-nettoyage-pays-de-rance-2023.pdf",
)


@dataclass
class Options:
    quick: bool = False
    documents: list[Path] = field(default_factory=lambda: [CORPUS])
    queries: int = 40
    load_seconds: float = 5.0
    scale: int = 200_000
    compare: int = 20_000
    base_extra: int = 600  # ../shared/corpus windows encoded as extra seeds of the synthetic collection
    build_budget_s: float = 900.0  # upserts stop there; the size reached is reported
    skip: tuple[str, ...] = ()
    reranker: str | None = None  # PROCSEARCH_RERANKER's model (the settings'), else a timing-only stand-in
    scale_store: Path | None = None  # a store built by `python -m eval.scale_store build`, measured as it is
    small_store: Path | None = None  # the same seeds at a small size, its comparison

    @classmethod
    def for_run(cls, quick: bool, **overrides) -> Options:
        if quick:
            base = cls(
                quick=True,
                documents=[CORPUS / f for f in QUICK_FILES],
                queries=10,
                load_seconds=1.0,
                scale=5_000,
                compare=2_000,
                base_extra=8,
                build_budget_s=120.0,
            )
        else:
            base = cls()
        return cls(**{**base.__dict__, **{k: v for k, v in overrides.items() if v is not None}})
