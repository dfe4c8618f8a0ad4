"""Embeddings, Qdrant storage and retrieval over `ingest`'s chunks.

Entry point: `open_collection(...)` (the location decides the backend) and
`search(collection, query, ...)`.
"""
