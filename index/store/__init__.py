"""Two storage backends behind one small interface (`Store`).

`EdgeStore` (Qdrant Edge, in-process, the default) and `ServerStore`
(qdrant-client against a Qdrant server or cluster). Everything above this
package speaks only the neutral types of `base`.
"""

from index.store.base import Found, QuerySpec, Store, StoredPoint, VectorQuery, Where

__all__ = ["Found", "QuerySpec", "Store", "StoredPoint", "VectorQuery", "Where"]
