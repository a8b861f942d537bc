from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.api_keys.models import ApiKey
from service.http.pagination import ListQuery

__all__ = ["KEYS", "KEY_LIST", "LIST_COLUMNS", "ONE_KEY", "ApiKeyRepository"]

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


KEY_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=KEYS.builder_id,
    created_at=KEYS.created_at,
    ident=KEYS.id,
    filters={
        "is_active": KEYS.is_active == bindparam("is_active"),
        "created_after": KEYS.created_at > bindparam("created_after"),
        "created_before": KEYS.created_at < bindparam("created_before"),
    },
)
ONE_KEY = select(*LIST_COLUMNS).where(KEYS.builder_id == bindparam("builder_id"), KEYS.id == bindparam("key_id"))


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, builder_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.builder_id == builder_id, ApiKey.id == key_id)).first()
