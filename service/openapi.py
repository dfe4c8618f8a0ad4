"""What the OpenAPI schema says beyond the handlers' signatures: keys, the upload form, shared parameters.

Swagger UI builds its "Authorize" dialog from the security schemes and its upload
form from the request body; Litestar infers neither from a multipart `dict` body or
from the bearer checks in service/routes/deps.py, so they are declared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar.openapi.spec import (
    Components,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.params import Parameter

from ingest.vocabulary import DOC_TYPES

READ_SCHEME = "read_key"
ADMIN_SCHEME = "admin_key"

SECURITY_COMPONENTS = Components(
    security_schemes={
        READ_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            description="One of PROCSEARCH_API_KEYS. Needed by the read endpoints only when that variable is set; "
            "the admin key is accepted too.",
        ),
        ADMIN_SCHEME: SecurityScheme(
            type="http",
            scheme="bearer",
            description="PROCSEARCH_ADMIN_KEY: uploads and deletes. When it is unset those endpoints answer 403.",
        ),
    }
)
# {}: reads need no key unless PROCSEARCH_API_KEYS is set
READ_SECURITY: list[dict[str, list[str]]] = [{READ_SCHEME: []}, {}]
ADMIN_SECURITY: list[dict[str, list[str]]] = [{ADMIN_SCHEME: []}]

_DOCUMENT_ID = "The document's id (16 hexadecimal characters), as in `documents[].id` of a search or list answer."
DocumentId = Annotated[str, Parameter(description=_DOCUMENT_ID)]


@dataclass
class UploadOperation(Operation):
    """POST /v1/documents: a multipart form with one or more `files` and an optional `doc_type`."""

    def __post_init__(self) -> None:
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["files"],
            properties={
                "files": Schema(
                    type=OpenAPIType.ARRAY,
                    items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY),
                    description="The files to ingest (PDF, Word, ODT, PowerPoint, Markdown, text, HTML, "
                    "eForms XML); repeat the field for several files.",
                ),
                "doc_type": Schema(
                    type=OpenAPIType.STRING,
                    enum=list(DOC_TYPES),
                    description="Force this document type on every file (otherwise it is guessed).",
                ),
                "folder": Schema(
                    type=OpenAPIType.STRING,
                    description="A folder or collection name (a buyer, a network) placed before each file's path, "
                    "so that two files of the same name stay two documents.",
                ),
            },
        )
        self.request_body = RequestBody(
            required=True,
            description="multipart/form-data upload",
            content={"multipart/form-data": OpenAPIMediaType(schema=form)},
        )
