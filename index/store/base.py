"""Neutral types for the store: filters, points and vector queries.

Each backend translates them into its own API. Keeping them here (rather than
passing qdrant objects around) is what lets one test suite run unchanged
against both backends and check that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from index.records import ChunkKeys, ChunkRecord, DocumentFields, DocumentRecord, decode

_R = TypeVar("_R", ChunkKeys, ChunkRecord, DocumentFields, DocumentRecord)

DENSE = "dense"
KEYWORD_FIELDS = (
    "kind",
    "state",
    "switched",
    "document_id",
    "language",
    "doc_type",
    "version",
    "source",
    "generation",
    "buyer",
    "cpv_prefixes",
    "cpv_divisions",
    "procedure",
    "currencies",
)
INTEGER_FIELDS = ("year", "deadline_day")
FLOAT_FIELDS = ("amounts",)
RANGE_FIELDS = INTEGER_FIELDS + FLOAT_FIELDS  # conditions on them are (key, (gte, lte)); see conditions()
RRF_K = 60
LIVE = "$live"  # the composite visibility condition below; each backend builds it as a nested filter


@dataclass(frozen=True)
class Where:
    """Conjunction of conditions; empty tuples and None mean 'no condition'."""

    kind: str | None = None
    live: bool | None = None
    document_ids: tuple[str, ...] = ()
    exclude_document_ids: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    cpv_prefixes: tuple[str, ...] = ()  # significant prefixes (index.cpv): a code matches its sub-codes
    procedures: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    value_min: float | None = None  # one of the document's amounts within the range (index.tender_payload)
    value_max: float | None = None
    deadline_from: int | None = None  # YYYYMMDD (index.tender_payload.day_number)
    deadline_to: int | None = None
    version: str | None = None
    exclude_version: str | None = None
    state: str | None = None  # raw chunk state ("live"/"hidden"), for the write protocol (index.writes)
    switched: bool | None = None
    generation: str | None = None


def visible(state: object, switched: object) -> bool:
    """Whether a chunk with this payload is searchable (the Python twin of the `LIVE` condition).

    A chunk is visible when it is `live` and not switched, or `hidden` and switched. Replacing a
    document writes its new chunks `hidden`, then marks every chunk of the document `switched` in
    ONE store operation: the old ones go out and the new ones come in at the same step, so a
    search never sees both versions or neither (see index.writes).
    """
    return (state == "live") != (switched == "1")


Condition = tuple[str, tuple]  # (key, values) for a match, (key, (gte, lte)) for a key of RANGE_FIELDS


def _filters(where: Where) -> list[Condition]:
    """The search filters' conditions: matches on keyword lists, then ranges."""
    out: list[Condition] = []
    for key, values in (
        ("document_id", where.document_ids),
        ("language", where.languages),
        ("doc_type", where.doc_types),
        ("buyer", where.buyers),
        ("cpv_prefixes", where.cpv_prefixes),
        ("procedure", where.procedures),
        ("currencies", where.currencies),
    ):
        if values:
            out.append((key, tuple(values)))
    for key, low, high in (
        ("year", where.year_from, where.year_to),
        ("amounts", where.value_min, where.value_max),
        ("deadline_day", where.deadline_from, where.deadline_to),
    ):
        if low is not None or high is not None:
            out.append((key, (low, high)))
    return out


def conditions(where: Where) -> tuple[list[Condition], list[Condition]]:
    """(must, must_not) in a backend-neutral shape; each backend maps them to its own classes."""
    must: list[Condition] = []
    switched = None if where.switched is None else ("1" if where.switched else "0")  # keyword: bools are unreliable
    for key, value in (
        ("kind", where.kind),
        ("version", where.version),
        ("state", where.state),
        ("generation", where.generation),
    ):
        if value is not None:
            must.append((key, (value,)))
    if where.live is True:
        must.append((LIVE, ()))
    if switched == "1":
        must.append(("switched", ("1",)))
    must += _filters(where)
    must_not: list[Condition] = []
    if where.exclude_document_ids:
        must_not.append(("document_id", tuple(where.exclude_document_ids)))
    if where.exclude_version is not None:
        must_not.append(("version", (where.exclude_version,)))
    if where.live is False:
        must_not.append((LIVE, ()))
    if switched == "0":
        must_not.append(("switched", ("1",)))  # a missing key counts as not switched
    return must, must_not


@dataclass(frozen=True)
class VectorQuery:
    """One retrieval source: a dense or a sparse vector, searched in space `using`.

    Without a `group` anywhere in a query, the sources are rank-fused (weighted
    RRF). When some source names a group, the query is score-fused instead (see
    `score_groups`): sources of one group are summed on their raw scores, which
    only makes sense for scores on one scale, such as BM25 in disjoint spaces.
    """

    using: str
    dense: list[float] | None = None
    sparse: tuple[list[int], list[float]] | None = None
    weight: float = 1.0
    group: str = ""

    @property
    def terms(self) -> tuple[list[int], list[float]]:
        """A sparse query's (indices, values); a query with neither vector is a programming error."""
        if self.sparse is None:
            raise ValueError(f"a query on '{self.using}' carries neither a dense nor a sparse vector")
        return self.sparse


def score_groups(sources: list[VectorQuery]) -> list[tuple[float, list[VectorQuery]]] | None:
    """(weight, sources) per group for score fusion, or None when the query is rank-fused.

    Score fusion, run inside Qdrant by both backends: each group's raw scores
    are summed into one list (a formula, each source at its own weight), that
    list is normalised by DBSF (mean ± 3 standard deviations, so cosines and
    BM25 land on one scale), and the groups are added with their weights (a
    group weighs what its first source weighs). Unlike RRF, a
    weak list then moves rankings in proportion to its scores, instead of
    placing its first hits near the top whatever their score. A source without
    a group is a group of its own.
    """
    if not any(s.group for s in sources):
        return None
    groups: dict[str, list[VectorQuery]] = {}
    for index, source in enumerate(sources):
        groups.setdefault(source.group or f"#{index}", []).append(source)
    return [(members[0].weight, members) for members in groups.values()]


Vectors = dict[str, list[float] | tuple[list[int], list[float]]]  # a point's vectors by space: dense, or sparse


@dataclass(frozen=True)
class QuerySpec:
    """One query of a batch (`Store.query_batch`): the arguments of `Store.query`."""

    sources: list[VectorQuery]
    where: Where
    limit: int
    offset: int = 0
    pool: int = 100
    rrf_k: int = RRF_K
    with_payload: bool | list[str] = True


@dataclass(frozen=True)
class StoredPoint:
    id: str
    vectors: Vectors
    payload: dict[str, object]


@dataclass(frozen=True)
class Found:
    """A point the store returned. Its payload is read through the typed views below, each decoded once."""

    id: str
    score: float
    payload: dict[str, object]
    vectors: dict[str, object] = field(default_factory=dict)

    def rescored(self, score: float) -> Found:
        """The same point at another score, with the views already decoded."""
        copy = Found(self.id, score, self.payload, self.vectors)
        copy.__dict__.update((name, view) for name, view in self.__dict__.items() if name in _VIEWS)
        return copy

    def _view(self, kind: type[_R]) -> _R:
        """The payload decoded as `kind`, once: a search reads the keys of each candidate several times."""
        view = self.__dict__.get(kind.__name__)
        if view is None:
            view = self.__dict__[kind.__name__] = decode(self.payload, kind, self.id)
        return view

    @property
    def keys(self) -> ChunkKeys:
        """A chunk's light keys (enough for a payload read with `LIGHT_KEYS`)."""
        return self._view(ChunkKeys)

    @property
    def chunk(self) -> ChunkRecord:
        """A chunk read with its whole payload."""
        return self._view(ChunkRecord)

    @property
    def fields(self) -> DocumentFields:
        """The document fields of a chunk or a document point (what is missing from a light read takes its default)."""
        return self._view(DocumentFields)

    @property
    def record(self) -> DocumentRecord:
        """A document point's record."""
        return self._view(DocumentRecord)


_VIEWS = {kind.__name__ for kind in (ChunkKeys, ChunkRecord, DocumentFields, DocumentRecord)}  # Found's cached views


class BatchQuerying:
    """`query` for a store that answers `query_batch`: one query is a batch of one, on every backend."""

    def query_batch(self, specs: list[QuerySpec]) -> list[list[Found]]:
        raise NotImplementedError

    def query(
        self,
        sources: list[VectorQuery],
        where: Where,
        limit: int,
        offset: int = 0,
        pool: int = 100,
        rrf_k: int = RRF_K,
        with_payload: bool | list[str] = True,
    ) -> list[Found]:
        return self.query_batch([QuerySpec(sources, where, limit, offset, pool, rrf_k, with_payload)])[0]


class Store(Protocol):
    backend: str  # a name for people (stats, /health), never for decisions: those read the capabilities below
    sole_writer: bool
    """True when this process is the store's only writer (the embedded store, locked to it): it may keep
    copies of what it wrote, and may finish on its own what a crash left half done. False for a server
    that other processes may write to at the same time."""

    def upsert(self, points: list[StoredPoint]) -> None: ...
    def delete(self, where: Where) -> None: ...
    def set_payload(self, where: Where, payload: dict[str, object]) -> None: ...
    def query(
        self,
        sources: list[VectorQuery],
        where: Where,
        limit: int,
        offset: int = 0,
        pool: int = 100,
        rrf_k: int = RRF_K,
        with_payload: bool | list[str] = True,
    ) -> list[Found]: ...
    def query_batch(self, specs: list[QuerySpec]) -> list[list[Found]]: ...
    def scroll(self, where: Where, with_vectors: bool = False) -> list[Found]: ...
    def retrieve(self, ids: list[str], with_vectors: bool = False) -> list[Found]: ...
    def count(self, where: Where) -> int: ...
    def facet(self, key: str, where: Where) -> dict[object, int]: ...
    def optimize(self) -> bool: ...
    def close(self) -> None: ...
