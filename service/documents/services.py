"""Documents' metadata and content: each change writes its event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from service.documents.models import Document
from service.documents.repositories import LIST_COLUMNS
from service.documents.schemas import DocumentCreate, DocumentOut, DocumentUpdate
from service.documents.storage import Upload
from service.projects.models import Project
from service.records import as_row, blank, changes_of, emit, fail_on, owned, referenced, remove, save_change

__all__ = ["attach_content", "create_document", "delete_document", "render", "render_document", "update_document"]

CATEGORY = "document"


def _project(session: Session, builder_id: uuid.UUID, project_id: uuid.UUID | None) -> None:
    if project_id is not None:
        referenced(session, Project, builder_id, project_id, "project_id", "project")


def create_document(session: Session, builder_id: uuid.UUID, data: DocumentCreate) -> Document:
    fail_on([blank("name", data.name)])
    _project(session, builder_id, data.project_id)
    now = datetime.now(UTC)
    document = Document(
        builder_id=builder_id, created_at=now, updated_at=now, **(changes_of(data) | {"name": data.name.strip()})
    )
    session.add(document)
    session.flush()
    emit(session, CATEGORY, document, "created", render_document(document))
    return document


def update_document(session: Session, builder_id: uuid.UUID, document_id: uuid.UUID, data: DocumentUpdate) -> Document:
    document = owned(session, Document, builder_id, document_id, "document")
    changes = changes_of(data)
    if "name" in changes:
        fail_on([blank("name", changes["name"])])
        changes["name"] = changes["name"].strip()
    if changes.get("project_id", document.project_id) != document.project_id:
        _project(session, builder_id, changes["project_id"])
    for field, value in changes.items():
        setattr(document, field, value)
    if save_change(session, document):
        emit(session, CATEGORY, document, "updated", render_document(document))
    return document


def attach_content(session: Session, builder_id: uuid.UUID, document_id: uuid.UUID, upload: Upload) -> Document:
    """Record the uploaded content's size and hash and install its file, after the version
    check (a concurrent upload or delete of the same document makes this one a 409)."""
    document = owned(session, Document, builder_id, document_id, "document")
    document.size_bytes = upload.size
    document.sha256 = upload.sha256
    document.updated_at = datetime.now(UTC)  # a new upload is a change even with the same bytes
    session.flush()
    upload.install()
    emit(session, CATEGORY, document, "updated", render_document(document))
    return document


def delete_document(session: Session, builder_id: uuid.UUID, document_id: uuid.UUID) -> None:
    """Delete the record; the caller removes the file once the transaction commits."""
    document = owned(session, Document, builder_id, document_id, "document")
    last = render_document(document)
    remove(session, document, "document", "dependent records")
    emit(session, CATEGORY, document, "deleted", last, deleted=True)


def render(row: Sequence[Any]) -> DocumentOut:
    """A row of ``LIST_COLUMNS`` (DocumentOut's field order) as the API shows it."""
    return DocumentOut(*row)


def render_document(document: Document) -> DocumentOut:
    return render(as_row(document, LIST_COLUMNS))
