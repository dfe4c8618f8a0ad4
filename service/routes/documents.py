"""Documents: list, detail, original file, similar documents, upload, delete."""

from __future__ import annotations

import re
import tempfile
import threading
from pathlib import Path
from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import File

from index.collection import Collection
from index.indexer import ingest_file
from index.parsing import ParserPool
from index.search import SearchFilters
from index.similar import similar_documents
from ingest.converters import SUPPORTED
from ingest.errors import IngestError, NotFoundError
from service.errors import UnsupportedMediaType, error_responses
from service.openapi import ADMIN_SECURITY, DocumentId, UploadOperation
from service.responses import document_summary
from service.routes.deps import require_admin, require_reader
from service.schemas import (ChunkInfo, DocType, DocumentDetail, DocumentList, Language, SimilarResponse,
                             UploadedFile, UploadResponse)
from service.settings import Settings

WRITE_LOCK = threading.Lock()  # one writer at a time: uploads of the same file must not interleave


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "upload"


def store_and_ingest(collection: Collection, settings: Settings, name: str, data: bytes,
                     doc_type: str | None, parser: ParserPool | None = None) -> tuple[str, str]:
    """Keep the upload under data/uploads and index it; a failed parse leaves nothing behind."""
    filename = _safe_name(name)
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED:
        raise UnsupportedMediaType(f"'{name}': unsupported file type '{suffix or '(none)'}'; "
                                   f"supported: {', '.join(sorted(SUPPORTED))}")
    folder = settings.data_dir.resolve() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    with WRITE_LOCK:
        with tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False) as tmp:
            tmp.write(data)
        staged = Path(tmp.name)
        previous = target.read_bytes() if target.exists() else None
        try:
            staged.replace(target)
            return ingest_file(collection, target, f"uploads/{filename}", doc_type, parser)
        except Exception:
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(previous)
            raise
        finally:
            staged.unlink(missing_ok=True)


class DocumentController(Controller):
    path = "/v1/documents"
    tags = ["documents"]

    @get(sync_to_thread=True, summary="List documents (filters as in search, paginated)",
         responses=error_responses(400, 401, 503))
    def list_documents(
        self, request: Request, collection: Collection, settings: Settings,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s).")] = None,
        doc_type: Annotated[list[DocType] | None, Parameter(query="type", description="Document type(s).")] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
        offset: Annotated[int, Parameter(ge=0, description="Documents to skip.")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Documents per page.")] = 50,
    ) -> DocumentList:
        require_reader(request, settings)
        where = SearchFilters(languages=tuple(lang or ()), doc_types=tuple(doc_type or ()), year_from=year_from,
                              year_to=year_to).where(kind="document")
        records = collection.documents(where)
        return DocumentList(total=len(records), offset=offset, limit=limit,
                            documents=[document_summary(r) for r in records[offset:offset + limit]])

    @get("/{document_id:str}", sync_to_thread=True, summary="A document's metadata and its passages' pages",
         responses=error_responses(401, 404, 503))
    def get_document(self, request: Request, collection: Collection, settings: Settings,
                     document_id: DocumentId) -> DocumentDetail:
        require_reader(request, settings)
        record = collection.document(document_id).payload
        chunks = [ChunkInfo(index=int(c["index"]), page=int(c["page"]), page_end=int(c["page_end"]),
                            section=str(c.get("section") or "")) for c in collection.chunks(document_id)]
        return DocumentDetail(document=document_summary(record), sha256=str(record.get("sha256")),
                              content_type=str(record.get("content_type")), chunks=chunks)

    @get("/{document_id:str}/file", sync_to_thread=True, summary="The original file (PDFs open at #page=N)",
         responses=error_responses(401, 404, 503))
    def get_file(self, request: Request, collection: Collection, settings: Settings,
                 document_id: DocumentId) -> File:
        require_reader(request, settings)
        record = collection.document(document_id).payload
        path = Path(str(record.get("path")))
        if not path.is_file():
            raise NotFoundError(f"the original file of '{document_id}' is no longer at {record.get('source')}")
        media_type = str(record.get("content_type"))
        # Uploaded HTML must not run as a page of this site: only PDFs and plain text open inline.
        inline = media_type in ("application/pdf", "text/plain", "text/markdown")
        return File(path=path, filename=path.name, media_type=media_type,
                    content_disposition_type="inline" if inline else "attachment",
                    headers={"X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'none'; sandbox"})

    @get("/{document_id:str}/similar", sync_to_thread=True, summary="Documents most like this one (precedents)",
         description="The same procurement's other documents first (draft, final, award), then documents of the "
                     "same type, then the others; only those close enough (a relevance cut-off). Filters as in search.",
         responses=error_responses(400, 401, 404, 503))
    def similar(
        self, request: Request, collection: Collection, settings: Settings, document_id: DocumentId,
        k: Annotated[int, Parameter(ge=1, le=50, description="At most this many documents (fewer when fewer are "
                                                             "close enough: there is a relevance cut-off).")] = 5,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s); repeatable.")] = None,
        doc_type: Annotated[list[DocType] | None,
                            Parameter(query="type", description="Document type(s); repeatable.")] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
    ) -> SimilarResponse:
        require_reader(request, settings)
        filters = SearchFilters(languages=tuple(lang or ()), doc_types=tuple(doc_type or ()), year_from=year_from,
                                year_to=year_to)
        found = similar_documents(collection, document_id, k, filters)
        return SimilarResponse(document_id=document_id,
                               documents=[document_summary(r, score=round(s, 6)) for r, s in found])

    @post(summary="Upload and ingest files (admin key)", status_code=201, operation_class=UploadOperation,
          security=ADMIN_SECURITY,
          responses=error_responses(400, 401, 403, 413, 415, 422, 503))
    async def upload(
        self, request: Request, collection: Collection, settings: Settings, parser: ParserPool,
        data: Annotated[dict[str, object], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> UploadResponse:
        require_admin(request, settings)
        from anyio import to_thread

        doc_type = data.get("doc_type")
        if doc_type is not None and str(doc_type) not in DocType.__args__:
            raise ValueError(f"unknown doc_type '{doc_type}': use one of {', '.join(DocType.__args__)}")
        files: list[UploadFile] = []
        for value in data.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, UploadFile):
                    files.append(item)
        if not files:
            raise ValueError("no file in the upload: send multipart/form-data with one or more 'files' fields")
        out = []
        for upload in files:
            content = await upload.read()
            try:
                status, doc_id = await to_thread.run_sync(
                    store_and_ingest, collection, settings, upload.filename, content, doc_type, parser)
            except IngestError as exc:
                raise IngestError(f"{upload.filename}: {exc}") from exc
            out.append(UploadedFile(filename=upload.filename, status=status,
                                    document=document_summary(collection.document(doc_id).payload)))
        return UploadResponse(files=out)

    @delete("/{document_id:str}", sync_to_thread=True, status_code=204, summary="Delete a document (admin key)",
            security=ADMIN_SECURITY,
            responses=error_responses(401, 403, 404, 503))
    def delete_document(self, request: Request, collection: Collection, settings: Settings,
                        document_id: DocumentId) -> None:
        require_admin(request, settings)
        with WRITE_LOCK:
            collection.delete(document_id)
