"""Selected payload keys of the embedded store's points, kept in memory between searches.

Every search reads the grouping, filter, facet and sort keys of its 200 best chunks (`index.results.LIGHT_KEYS`).
Qdrant Edge decodes a point's whole payload to hand out any key of it: 200 points cost about half of the
fused query's CPU (2.4 of 5.8 ms on the bundled store). A search asks for ids and scores only and takes
the keys from here; what is missing is read in one `retrieve`. The embedded store has one process, so
every write passes through it and clears the copy; a read that started before a write does not put
what it read back (the generation check), so a search never sees a key older than the last write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

CAPACITY = 100_000  # points kept per key selection (about 60 MB of light payloads); past it the copy starts again
FULL_PAYLOADS = 20_000  # whole payloads (text included, about 1.5 KB each) kept for result pages


class PayloadCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._data: dict[tuple[str, ...], dict[str, dict[str, object]]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget everything (after any write)."""
        with self._lock:
            self._generation += 1
            self._data = {}

    def payloads(
        self,
        ids: Sequence[str],
        keys: Sequence[str],
        read: Callable[[list[str], list[str]], dict[str, dict[str, object]]],
        generation: int,
    ) -> dict[str, dict[str, object]]:
        """`keys` of each point of `ids`, from memory or, for the missing ones, from `read(missing, keys)`.

        `generation` is `self.generation` taken before the ids were read from the store. Each payload is
        a copy: a caller may change it without changing the next search's.
        """
        selection = tuple(keys)
        known = self._data.get(selection, {})
        out = {i: dict(known[i]) for i in ids if i in known}
        missing = [i for i in ids if i not in out]
        if missing:
            found = read(missing, list(keys))
            out.update({i: dict(p) for i, p in found.items()})
            with self._lock:
                if generation == self._generation:
                    table = self._data.setdefault(selection, {})
                    if len(table) + len(found) > self.capacity:
                        table.clear()
                    table.update(found)
        return out

    @property
    def generation(self) -> int:
        return self._generation
