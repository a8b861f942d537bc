from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select, bindparam, select
from sqlalchemy.orm import Session

from service.api_keys.models import ApiKey
from service.http.pagination import ListQuery

__all__ = [
    "BUILDER_KEYS",
    "KEYS",
    "KEY_LIST",
    "LIST_COLUMNS",
    "ONE_KEY",
    "ApiKeyRepository",
    "KeyQueries",
    "key_queries",
]

# Everything the API shows of a key, in ``ApiKeyOut``'s order; never the hash.
_SHOWN = (
    "id",
    "name",
    "key_prefix",
    "scopes",
    "rate_limit",
    "is_active",
    "created_at",
    "last_used_at",
    "expires_at",
    "revoked_at",
)


@dataclass(frozen=True, slots=True)
class KeyQueries:
    """The statements that read one kind of account's keys (builders' or organisations'): their
    tables share the shown columns and differ in the account column (``tenant``)."""

    tenant: str
    columns: tuple[Column[Any], ...]
    listing: ListQuery
    #: One key of the account; binds ``<tenant>`` and ``key_id``.
    one: Select[Any]
    #: Every key of the account, newest first (for operators); binds ``<tenant>``.
    every: Select[Any]


def key_queries(table: Any, tenant: str) -> KeyQueries:
    """The statements over ``table`` (a key table's columns) for the account column ``tenant``."""
    columns = tuple(table[name] for name in _SHOWN)
    owner = table[tenant]
    listing = ListQuery(
        columns,
        tenant=owner,
        created_at=table.created_at,
        ident=table.id,
        filters={
            "is_active": table.is_active == bindparam("is_active"),
            "created_after": table.created_at > bindparam("created_after"),
            "created_before": table.created_at < bindparam("created_before"),
        },
    )
    return KeyQueries(
        tenant=tenant,
        columns=columns,
        listing=listing,
        one=select(*columns).where(owner == bindparam(tenant), table.id == bindparam("key_id")),
        every=select(*columns).where(owner == bindparam(tenant)).order_by(table.created_at.desc(), table.id.desc()),
    )


KEYS = ApiKey.__table__.c
BUILDER_KEYS = key_queries(KEYS, "builder_id")
LIST_COLUMNS = BUILDER_KEYS.columns
KEY_LIST = BUILDER_KEYS.listing
ONE_KEY = BUILDER_KEYS.one


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: ApiKey) -> ApiKey:
        self.session.add(key)
        self.session.flush()
        return key

    def get(self, builder_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.builder_id == builder_id, ApiKey.id == key_id)).first()
