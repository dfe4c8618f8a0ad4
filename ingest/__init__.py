"""From files to typed, cleaned, chunked text: file → Document → Pages → Chunks.

Nothing here knows about embeddings or storage; `index` builds on these types.
"""
