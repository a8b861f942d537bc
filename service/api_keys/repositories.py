from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from service.api_keys.models import ApiKey

__all__ = ["KEYS", "LIST_COLUMNS", "ApiKeyRepository", "list_query"]

KEYS = ApiKey.__table__.c
# Everything the API shows of a key; never the hash.
LIST_COLUMNS = (
    KEYS.id,
    KEYS.name,
    KEYS.key_prefix,
    KEYS.scopes,
    KEYS.rate_limit,
    KEYS.is_active,
    KEYS.created_at,
    KEYS.last_used_at,
    KEYS.expires_at,
    KEYS.revoked_at,
)


def list_query(
    builder_id: uuid.UUID,
    *,
    key_id: uuid.UUID | None = None,
    is_active: bool | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> Select[Any]:
    """The builder's keys as plain columns, for read-only endpoints."""
    stmt = select(*LIST_COLUMNS).where(KEYS.builder_id == builder_id)
    if key_id is not None:
        stmt = stmt.where(KEYS.id == key_id)
    if is_active is not None:
        stmt = stmt.where(KEYS.is_active.is_(is_active))
    if created_after is not None:
        stmt = stmt.where(KEYS.created_at > created_after)
    if created_before is not None:
        stmt = stmt.where(KEYS.created_at < created_before)
    return stmt


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, builder_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.builder_id == builder_id, ApiKey.id == key_id)).first()
