"""Documents: list, detail, original file, similar documents, upload, delete."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import anyio
import msgspec
from anyio import from_thread, to_thread
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter
from litestar.response import File

from index.collection import Collection
from index.parsing import ParserPool
from index.records import DocumentRecord
from index.search import SearchFilters
from ingest.errors import IngestError
from ingest.vocabulary import DOC_TYPES
from service import audit
from service.errors import BadRequest, error_responses
from service.openapi import ADMIN_SECURITY, DocumentId, UploadOperation
from service.originals import upload_source, verified_original
from service.precedents import similar_response
from service.responses import document_summary
from service.routes.deps import require_admin, require_reader
from service.schemas import (
    ChunkInfo,
    DocType,
    DocumentDetail,
    DocumentList,
    Language,
    SimilarResponse,
    UploadedFile,
    UploadResponse,
)
from service.settings import Settings
from service.uploading import WriteBusy, WriteLock, delete_upload, failure, store_upload

log = logging.getLogger(__name__)


async def _disconnected(request: Request) -> bool:
    """Whether the client has gone (its body is read, so the next ASGI message can only be a disconnect)."""
    with anyio.move_on_after(0.005):
        return (await request.receive())["type"] == "http.disconnect"
    return False


async def _store_one(
    request: Request,
    collection: Collection,
    settings: Settings,
    parser: ParserPool,
    lock: WriteLock,
    upload: UploadFile,
    doc_type: str | None,
    folder: str | None,
    replacing: DocumentRecord | None = None,
) -> tuple[UploadedFile, Exception | None]:
    """Store one file; its outcome (never raised) and, if it failed, the exception."""
    try:
        content = await upload.read()
    finally:
        await upload.close()  # a spooled upload rolled to disk is a temporary file: gone with the request
    source = ""
    try:
        if replacing is None:
            source = upload_source(upload.filename, folder)
        else:
            source = replacing.source
            wanted = Path(source).suffix.lower()
            if Path(upload.filename or "").suffix.lower() != wanted:
                raise BadRequest(
                    f"'{upload.filename}': a replacement must be a {wanted} file like the "
                    f"document it replaces ({source})"
                )
        stored = await to_thread.run_sync(
            store_upload,
            collection,
            settings.data_dir,
            source,
            content,
            doc_type,
            lock,
            parser,
            lambda: from_thread.run(_disconnected, request),
        )
    except Exception as exc:  # noqa: BLE001 - each file gets its own outcome; programmer errors are logged
        code, reason = failure(exc)
        if code == 500:
            log.error("upload of %s failed", upload.filename, exc_info=exc)
        action = "replace" if replacing is not None else "upload"
        audit.record(
            settings.data_dir,
            request,
            action,
            replacing.document_id if replacing else None,
            source,
            f"failed: {reason}",
        )
        return UploadedFile(filename=upload.filename, status="failed", path=source, reason=reason, code=code), exc
    action = "replace" if replacing is not None or stored.status == "updated" else "upload"
    audit.record(settings.data_dir, request, action, stored.document_id, source, stored.status)
    return UploadedFile(
        filename=upload.filename,
        status=stored.status,
        path=source,
        document=document_summary(collection.document(stored.document_id).record),
    ), None


def _busy(detail: str) -> Response:
    """503 with Retry-After: the index is busy with another write (or the client left); try again."""
    return Response({"status_code": 503, "detail": detail}, status_code=503, headers={"Retry-After": "5"})


def _answer(results: list[tuple[UploadedFile, Exception | None]], ok_status: int) -> Response:
    """201/200 when every file was stored, 207 with each file's outcome when some were, else the failure."""
    files = [file for file, _ in results]
    failed = [(file, exc) for file, exc in results if exc is not None]
    if not failed:
        return Response(UploadResponse(files=files), status_code=ok_status)
    if len(failed) < len(results):
        return Response(UploadResponse(files=files), status_code=207)
    if len(failed) == 1:
        file, exc = failed[0]
        if file.code == 503:
            return _busy(str(file.reason))
        if isinstance(exc, IngestError):
            raise IngestError(f"{file.filename}: {exc}") from exc
        raise exc
    codes = {file.code for file in files}
    code = codes.pop() if len(codes) == 1 else 422
    detail = "no file was stored: " + "; ".join(f"{file.filename}: {file.reason}" for file in files)
    headers = {"Retry-After": "5"} if code == 503 else None
    return Response(
        {"status_code": code, "detail": detail, "files": msgspec.to_builtins(files)}, status_code=code, headers=headers
    )


class DocumentController(Controller):
    path = "/v1/documents"
    tags = ["documents"]

    @get(
        sync_to_thread=True,
        summary="List documents (filters as in search, paginated)",
        responses=error_responses(400, 401, 503),
    )
    def list_documents(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s).")] = None,
        doc_type: Annotated[list[DocType] | None, Parameter(query="type", description="Document type(s).")] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
        offset: Annotated[int, Parameter(ge=0, description="Documents to skip.")] = 0,
        limit: Annotated[int, Parameter(ge=1, le=500, description="Documents per page.")] = 50,
    ) -> DocumentList:
        require_reader(request, settings)
        where = SearchFilters(
            languages=tuple(lang or ()), doc_types=tuple(doc_type or ()), year_from=year_from, year_to=year_to
        ).where(kind="document")
        records = collection.documents(where)
        return DocumentList(
            total=len(records),
            offset=offset,
            limit=limit,
            documents=[document_summary(r) for r in records[offset : offset + limit]],
        )

    @get(
        "/{document_id:str}",
        sync_to_thread=True,
        summary="A document's metadata and its passages' pages",
        responses=error_responses(401, 404, 503),
    )
    def get_document(
        self, request: Request, collection: Collection, settings: Settings, document_id: DocumentId
    ) -> DocumentDetail:
        require_reader(request, settings)
        record = collection.document(document_id).record
        chunks = [
            ChunkInfo(index=c.index, page=c.page, page_end=c.page_end, section=c.section)
            for c in collection.chunks(document_id)
        ]
        return DocumentDetail(
            document=document_summary(record),
            sha256=record.sha256,
            content_type=record.content_type,
            chunks=chunks,
        )

    @get(
        "/{document_id:str}/file",
        sync_to_thread=True,
        summary="The original file (PDFs open at #page=N)",
        responses=error_responses(401, 404, 503),
    )
    def get_file(self, request: Request, collection: Collection, settings: Settings, document_id: DocumentId) -> File:
        require_reader(request, settings)
        record = collection.document(document_id).record
        path = verified_original(record, settings.data_dir)
        media_type = record.content_type
        # Uploaded HTML must not run as a page of this site: only PDFs and plain text open inline.
        inline = media_type in ("application/pdf", "text/plain", "text/markdown")
        return File(
            path=path,
            filename=path.name,
            media_type=media_type,
            content_disposition_type="inline" if inline else "attachment",
            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"},
        )

    @get(
        "/{document_id:str}/similar",
        sync_to_thread=True,
        summary="Documents most like this one (precedents)",
        description="The same procurement's other documents first (draft, final, award), then, for a tender with "
        "CPV codes, those that share a CPV group (then a division), then documents of the same type, then the "
        "others; only those close enough (a relevance cut-off, which a shared CPV group passes). Each comes with "
        "why (`precedents`: shared CPV with its labels, same buyer, same criteria) and its award criteria, to set "
        "beside the source's (`criteria`). Filters as in search.",
        responses=error_responses(400, 401, 404, 503),
    )
    def similar(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        document_id: DocumentId,
        k: Annotated[
            int,
            Parameter(
                ge=1,
                le=50,
                description="At most this many documents (fewer when fewer are "
                "close enough: there is a relevance cut-off).",
            ),
        ] = 5,
        lang: Annotated[list[Language] | None, Parameter(description="Document language(s); repeatable.")] = None,
        doc_type: Annotated[
            list[DocType] | None, Parameter(query="type", description="Document type(s); repeatable.")
        ] = None,
        year_from: Annotated[int | None, Parameter(ge=1900, le=2100, description="Earliest document year.")] = None,
        year_to: Annotated[int | None, Parameter(ge=1900, le=2100, description="Latest document year.")] = None,
    ) -> SimilarResponse:
        require_reader(request, settings)
        filters = SearchFilters(
            languages=tuple(lang or ()), doc_types=tuple(doc_type or ()), year_from=year_from, year_to=year_to
        )
        return similar_response(collection, document_id, k, filters)

    @post(
        summary="Upload and ingest files (admin key)",
        status_code=201,
        operation_class=UploadOperation,
        security=ADMIN_SECURITY,
        description="Each file is a document named by its path: `uploads/`, then the optional `folder` field, "
        "then the file name as sent, with its relative folders (`buyerA/cctp.pdf`). The same path "
        "again replaces that document; another path never does. The answer lists every file with "
        "its own status: 201 when all were stored, 207 when some were (the failed ones carry "
        "`reason` and `code`), and the failure's own status (415, 422, ...) when none was.",
        responses={
            **error_responses(400, 401, 403, 413, 415, 422, 503),
            207: ResponseSpec(
                data_container=UploadResponse, description="Some files were stored, some failed: each has its status."
            ),
        },
    )
    async def upload(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        parser: ParserPool,
        write_lock: WriteLock,
        data: Annotated[dict[str, object], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[UploadResponse]:
        require_admin(request, settings)
        async with _closing(_files(data)) as files:
            doc_type = _doc_type(data)
            folder = data.get("folder")
            if folder is not None and not isinstance(folder, str):
                raise BadRequest("'folder' must be a text field (a folder or collection name)")
            if not files:
                raise BadRequest("no file in the upload: send multipart/form-data with one or more 'files' fields")
            results = [
                await _store_one(request, collection, settings, parser, write_lock, upload, doc_type, folder)
                for upload in files
            ]
        return _answer(results, 201)

    @put(
        "/{document_id:str}",
        summary="Replace a document's file (admin key)",
        status_code=200,
        operation_class=UploadOperation,
        security=ADMIN_SECURITY,
        description="Send one file in the 'files' field; it replaces this document (same id and path) as a "
        "switch: the old version stays searchable until the new one is.",
        responses=error_responses(400, 401, 403, 404, 413, 415, 422, 503),
    )
    async def replace(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        parser: ParserPool,
        write_lock: WriteLock,
        document_id: DocumentId,
        data: Annotated[dict[str, object], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[UploadResponse]:
        require_admin(request, settings)
        async with _closing(_files(data)) as files:
            doc_type = _doc_type(data)
            if len(files) != 1:
                raise BadRequest(f"send exactly one file to replace a document ({len(files)} sent)")
            record = collection.document(document_id).record
            results = [
                await _store_one(request, collection, settings, parser, write_lock, files[0], doc_type, None, record)
            ]
        return _answer(results, 200)

    @delete(
        "/{document_id:str}",
        sync_to_thread=True,
        status_code=204,
        summary="Delete a document (admin key)",
        security=ADMIN_SECURITY,
        responses=error_responses(401, 403, 404, 503),
    )
    def delete_document(
        self,
        request: Request,
        collection: Collection,
        settings: Settings,
        write_lock: WriteLock,
        document_id: DocumentId,
    ) -> Response[None]:
        require_admin(request, settings)
        try:
            record = delete_upload(collection, settings.data_dir, document_id, write_lock)
        except Exception as exc:
            audit.record(settings.data_dir, request, "delete", document_id, None, f"failed: {failure(exc)[1]}")
            if isinstance(exc, WriteBusy):
                return _busy(str(exc))
            raise
        audit.record(settings.data_dir, request, "delete", document_id, record.source, "deleted")
        return Response(None, status_code=204)


@asynccontextmanager
async def _closing(files: list[UploadFile]) -> AsyncIterator[list[UploadFile]]:
    """`files`, each closed when the handler is done with them, whatever happened (a spooled one is a temp file)."""
    try:
        yield files
    finally:
        for upload in files:
            await upload.close()


def _files(data: dict[str, object]) -> list[UploadFile]:
    files: list[UploadFile] = []
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile):
                files.append(item)
    return files


def _doc_type(data: dict[str, object]) -> str | None:
    doc_type = data.get("doc_type")
    if doc_type is not None and str(doc_type) not in DOC_TYPES:
        raise BadRequest(f"unknown doc_type '{doc_type}': use one of {', '.join(DOC_TYPES)}")
    return None if doc_type is None else str(doc_type)
