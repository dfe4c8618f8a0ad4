"""Every error a person may see: the message says what happened and what to do."""


class ProcsearchError(Exception):
    """Base class; the CLI prints `str(error)` as one line and exits non-zero."""


class IngestError(ProcsearchError):
    """A file could not be ingested; the message is the reason shown in the summary."""


class StoreError(ProcsearchError):
    """The index cannot be opened or used as configured (locked, other model, …)."""


class ModelError(ProcsearchError):
    """The embedding model or the reranker cannot be loaded, converted or run as configured."""


class NotFoundError(ProcsearchError):
    """A document id that is not in the index."""
