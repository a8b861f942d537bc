from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.openapi.spec import OpenAPIFormat, OpenAPIResponse, OpenAPIType, Operation, RequestBody, Schema
from litestar.openapi.spec import OpenAPIMediaType as MediaType
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from service.db.database import database
from service.documents import services, storage
from service.documents.models import Document
from service.documents.repositories import DOCUMENT_LIST, ONE_DOCUMENT
from service.documents.schemas import DocumentCreate, DocumentOut, DocumentPage, DocumentUpdate, Kind
from service.errors import NotFound, PayloadTooLarge
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, if_match, read_response, tagged
from service.http.filters import CreatedAfter, CreatedBefore, ProjectFilter, UpdatedAfter, time_filters
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.http.query import RAW_BODY
from service.records import Guarded, checked, created
from service.settings import Settings

__all__ = ["DocumentController"]

DOCUMENTS = Guarded(Document, "document")

log = logging.getLogger("joist.documents")

DocumentId = FromPath[uuid.UUID]


def _binary() -> dict[str, MediaType]:
    return {"application/octet-stream": MediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))}


@dataclass
class _UploadOperation(Operation):
    """The upload's body is read as a stream, not declared as a handler parameter; say so."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The file's bytes, as they are (any Content-Type; the document's content_type is served).",
            content=_binary(),
        )


@dataclass
class _DownloadOperation(Operation):
    """The download streams the file's bytes (the framework would call it JSON)."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.description = "The content, with the document's content_type and a Content-Disposition."
            ok.content = _binary()


def _upload_route() -> dict[str, Any]:
    route = needs("write:documents")
    route["opt"][RAW_BODY] = True
    return route


def _disposition(name: str) -> str:
    quoted = quote(name)
    return f'attachment; filename="{name}"' if quoted == name else f"attachment; filename*=utf-8''{quoted}"


async def _one(request: Request[Any, Any, Any], state: State, document_id: uuid.UUID) -> DocumentOut:
    params = {"builder_id": principal_of(request).builder_id, "id": document_id}
    row = await database(state).fetch_one(ONE_DOCUMENT, params)
    if row is None:
        raise NotFound(f"no document {document_id}")
    return services.render(row)


class DocumentController(Controller):
    path = "/documents"
    tags = ["Documents"]

    @get("/", **needs("read:documents"), operation_id="listDocuments", summary="List documents, newest first")
    async def list_documents(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        project_id: ProjectFilter = None,
        kind: Annotated[Kind | None, QueryParameter(description="Only documents of this kind.")] = None,
    ) -> DocumentPage:
        return await paginate(
            database(state),
            DOCUMENT_LIST,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            DocumentPage,
            project_id=project_id,
            kind=kind,
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:documents"),
        **conditional("create"),
        operation_id="createDocument",
        status_code=201,
        summary="Create a document (metadata)",
        description="Then upload its content with `PUT /api/v1/documents/{document_id}/content`.",
    )
    async def create_document(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[DocumentCreate]
    ) -> Response[DocumentOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_document(services.create_document(session, builder_id, data))
        )
        return created(out, "documents", out.id)

    @get(
        "/{document_id:uuid}",
        **needs("read:documents"),
        **conditional("read"),
        operation_id="getDocument",
        summary="Get a document",
    )
    async def get_document(
        self, request: Request[Any, Any, Any], state: State, document_id: DocumentId
    ) -> Response[DocumentOut]:
        return read_response(request, await _one(request, state, document_id))

    @patch(
        "/{document_id:uuid}",
        **needs("write:documents"),
        **conditional("write"),
        operation_id="updateDocument",
        summary="Change a document's metadata",
        description="Send only the fields to change; null clears the project.",
    )
    async def update_document(
        self, request: Request[Any, Any, Any], state: State, document_id: DocumentId, data: JSONBody[DocumentUpdate]
    ) -> Response[DocumentOut]:
        return await DOCUMENTS.answer(
            request,
            state,
            document_id,
            lambda session, builder_id: services.render_document(
                services.update_document(session, builder_id, document_id, data)
            ),
        )

    @delete(
        "/{document_id:uuid}",
        **needs("write:documents"),
        **conditional("write"),
        operation_id="deleteDocument",
        summary="Delete a document and its content",
    )
    async def delete_document(self, request: Request[Any, Any, Any], state: State, document_id: DocumentId) -> None:
        await DOCUMENTS.write(
            request,
            state,
            document_id,
            lambda session, builder_id: services.delete_document(session, builder_id, document_id),
        )
        settings: Settings = state.settings
        builder_id = principal_of(request).builder_id
        try:  # after the commit: a crash here leaves a file no record names, never a record without its file
            storage.path_of(settings.data_dir, builder_id, document_id).unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove the content of deleted document %s", document_id)

    @put(
        "/{document_id:uuid}/content",
        **_upload_route(),
        **conditional("write"),
        request_max_body_size=None,  # streamed to disk and capped by max_document_bytes instead
        operation_class=_UploadOperation,
        operation_id="uploadDocumentContent",
        summary="Upload (or replace) a document's content",
        description="The request body is the file itself, streamed to disk; over `JOIST_MAX_DOCUMENT_BYTES` "
        "(25 MiB by default) it is a 413. Records `size_bytes` and `sha256` (event `document.updated`).",
    )
    async def upload_content(
        self, request: Request[Any, Any, Any], state: State, document_id: DocumentId
    ) -> Response[DocumentOut]:
        settings: Settings = state.settings
        builder_id = principal_of(request).builder_id
        precondition = if_match(request)
        current = await _one(request, state, document_id)  # 404 (and 412) before reading a byte
        if precondition is not None:
            precondition.check(current.version)
        limit = settings.max_document_bytes
        if (request.content_length or 0) > limit:
            raise PayloadTooLarge(f"the document is larger than the {limit}-byte limit")
        destination = storage.path_of(settings.data_dir, builder_id, document_id)
        upload = await storage.receive(request.stream(), destination, limit)
        try:
            out = await database(state).write(
                checked(  # again in the write: a change may have come while the body streamed in
                    precondition,
                    Document,
                    builder_id,
                    document_id,
                    "document",
                    lambda session: services.render_document(
                        services.attach_content(session, builder_id, document_id, upload)
                    ),
                )
            )
        except BaseException:
            upload.undo()
            raise
        upload.keep()
        return tagged(out)

    @get(
        "/{document_id:uuid}/content",
        **needs("read:documents"),
        operation_class=_DownloadOperation,
        operation_id="downloadDocumentContent",
        summary="Download a document's content",
        description="Served with the document's content_type, as an attachment named after the document.",
    )
    async def download_content(self, request: Request[Any, Any, Any], state: State, document_id: DocumentId) -> Stream:
        document = await _one(request, state, document_id)
        settings: Settings = state.settings
        path: Path = storage.path_of(settings.data_dir, principal_of(request).builder_id, document_id)
        opened: tuple[AsyncIterator[bytes] | tuple[()], int] | None = None
        if document.sha256 is not None and request.method == "HEAD":
            # The same headers from the file's size alone: it is not opened, nor read to be dropped.
            size = await storage.size_of(path)
            opened = None if size is None else ((), size)
        elif document.sha256 is not None:
            opened = await storage.read_chunks(path)
        if opened is None:
            if document.sha256 is not None:
                log.error("document %s has a hash but no file at %s", document_id, path)
            raise NotFound(f"document {document_id} has no content yet; upload it with PUT")
        chunks, size = opened
        return Stream(
            chunks,
            media_type=document.content_type,
            headers={
                "Content-Length": str(size),
                "Content-Disposition": _disposition(document.name),
                "ETag": f'"{document.sha256}"',
                "X-Content-Type-Options": "nosniff",
            },
        )
