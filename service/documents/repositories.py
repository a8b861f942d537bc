from __future__ import annotations

from sqlalchemy import bindparam, select

from service.documents.models import Document
from service.http.filters import time_clauses
from service.http.pagination import ListQuery

__all__ = ["DOCUMENTS", "DOCUMENT_LIST", "LIST_COLUMNS", "ONE_DOCUMENT"]

DOCUMENTS = Document.__table__.c
# In DocumentOut's field order: rows render by position.
LIST_COLUMNS = (
    DOCUMENTS.id,
    DOCUMENTS.project_id,
    DOCUMENTS.name,
    DOCUMENTS.kind,
    DOCUMENTS.content_type,
    DOCUMENTS.size_bytes,
    DOCUMENTS.sha256,
    DOCUMENTS.version,
    DOCUMENTS.created_at,
    DOCUMENTS.updated_at,
)

DOCUMENT_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=DOCUMENTS.builder_id,
    created_at=DOCUMENTS.created_at,
    ident=DOCUMENTS.id,
    filters={
        "project_id": DOCUMENTS.project_id == bindparam("project_id"),
        "kind": DOCUMENTS.kind == bindparam("kind"),
        **time_clauses(DOCUMENTS.created_at, DOCUMENTS.updated_at),
    },
)
ONE_DOCUMENT = select(*LIST_COLUMNS).where(
    DOCUMENTS.builder_id == bindparam("builder_id"), DOCUMENTS.id == bindparam("id")
)
