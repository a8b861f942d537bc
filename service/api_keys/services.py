"""Issuing, listing and revoking API keys. Services flush; the caller owns the commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from service.accounts.models import Builder, Plan
from service.accounts.plans import rate_limit_for
from service.api_keys import tokens
from service.api_keys.models import ApiKey
from service.api_keys.repositories import LIST_COLUMNS, ApiKeyRepository
from service.api_keys.schemas import ApiKeyCreated, ApiKeyOut
from service.errors import FieldError, InvalidInput, NotFound
from service.orgs.models import OrgApiKey
from service.scopes import grants, invalid_scopes, normalise
from service.times import to_utc

REVOKED_KEYS = "joist.revoked_api_keys"


@dataclass(frozen=True, slots=True)
class Grantor:
    """The key that is creating a key: what the new key may not exceed."""

    scopes: frozenset[str]
    rate_limit: int
    expires_at: datetime | None


__all__ = [
    "REVOKED_KEYS",
    "Grantor",
    "get_key",
    "issue_key",
    "render",
    "render_created",
    "render_key",
    "render_with_limit",
    "revoke_key",
    "withdraw",
]


def issue_key(
    session: Session,
    builder: Builder,
    *,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
    rate_limit: int | None = None,
    grantor: Grantor | None = None,
    key: str | None = None,
) -> tuple[ApiKey, str]:
    """Create a key for ``builder``; return the row and the key, which is never stored.

    ``grantor`` is set when a key creates a key: the new key may not hold a scope the creating
    key lacks, allow more requests per minute, or outlive it (it inherits the creator's expiry
    when none is given), so ``write:api_keys`` cannot be used to escalate.
    """
    errors: list[FieldError] = []
    name = name.strip()
    if not 1 <= len(name) <= 100:
        errors.append(FieldError("name", "must be 1–100 characters"))
    if not scopes:
        errors.append(FieldError("scopes", "give at least one scope"))
    if unknown := invalid_scopes(scopes):
        errors.append(FieldError("scopes", f"unknown scopes: {', '.join(unknown)}"))
    elif grantor is not None and (beyond := [s for s in scopes if not grants(grantor.scopes, s)]):
        errors.append(FieldError("scopes", f"the calling key does not hold: {', '.join(sorted(beyond))}"))
    if expires_at is not None:
        expires_at = to_utc(expires_at, "expires_at")  # times are UTC on the wire and in storage
    if grantor is not None and grantor.expires_at is not None:
        if expires_at is None:
            expires_at = grantor.expires_at
        elif expires_at > grantor.expires_at:
            errors.append(FieldError("expires_at", "may not be later than the calling key's own expiry"))
    if grantor is not None and rate_limit is not None and rate_limit > grantor.rate_limit:
        errors.append(FieldError("rate_limit", f"may not exceed the calling key's own limit ({grantor.rate_limit})"))
    if expires_at is not None and expires_at <= datetime.now(UTC):
        errors.append(FieldError("expires_at", "must be in the future"))
    if rate_limit is not None and builder.plan != Plan.ENTERPRISE:
        errors.append(
            FieldError("rate_limit", f"per-key limits are for the enterprise plan; this builder is on {builder.plan}")
        )
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    key = key or tokens.generate()
    row = ApiKeyRepository(session).add(
        ApiKey(
            builder_id=builder.id,
            name=name,
            key_hash=tokens.hash_key(key),
            key_prefix=tokens.prefix_of(key),
            scopes=normalise(scopes),
            rate_limit=rate_limit,
            expires_at=expires_at,
            created_at=datetime.now(UTC),
        )
    )
    return row, key


def get_key(session: Session, builder_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    """The builder's key; another builder's key is as absent as one that never existed."""
    row = ApiKeyRepository(session).get(builder_id, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    return row


def revoke_key(session: Session, builder_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    row = get_key(session, builder_id, key_id)
    withdraw(session, row)
    return row


def withdraw(session: Session, row: ApiKey | OrgApiKey) -> bool:
    """Revoke a builder's or an organisation's key; False when it was revoked already.

    The key's id goes into ``session.info[REVOKED_KEYS]``: when the transaction commits, the app
    drops it from its authentication cache, so it stops working at once on this instance (other
    instances stop trusting their cached copy within ``JOIST_AUTH_CACHE_SECONDS``).
    """
    if not row.is_active:
        return False
    row.is_active = False
    row.revoked_at = datetime.now(UTC)
    session.flush()
    session.info.setdefault(REVOKED_KEYS, set()).add(row.id)
    return True


def render(row: Sequence[Any], plan: str) -> ApiKeyOut:
    """A row of ``LIST_COLUMNS`` as the API shows a builder's key (its limit from the plan)."""
    return render_with_limit(row, rate_limit_for(plan, row[4]))  # row[4]: the key's own rate_limit


def render_with_limit(row: Sequence[Any], rate_limit: int) -> ApiKeyOut:
    """A row of ``KeyQueries.columns`` as the API shows it, with the key's effective limit.

    Rows are unpacked by position (list pages render many of them, and by-name access on a
    result row costs ten times more); the columns and ``ApiKeyOut`` share their order.
    """
    key_id, name, prefix, scopes, _, is_active, created_at, last_used_at, expires_at, revoked_at = row
    return ApiKeyOut(
        key_id,
        name,
        prefix,
        scopes,
        rate_limit,
        is_active,
        created_at,
        last_used_at,
        expires_at,
        revoked_at,
    )


def render_key(key: ApiKey, plan: str) -> ApiKeyOut:
    return render([getattr(key, column.key) for column in LIST_COLUMNS], plan)


def render_created(key: ApiKey, plan: str, secret: str) -> ApiKeyCreated:
    out = render_key(key, plan)
    return ApiKeyCreated(**{f: getattr(out, f) for f in out.__struct_fields__}, key=secret)
