"""Organisations and their API keys: created by operators (the CLI), listed and revoked by
operators or by the organisation itself (``/api/v1/org/api-keys``). Services flush; the caller
owns the commit."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from service.api_keys import tokens
from service.api_keys.schemas import ApiKeyOut
from service.api_keys.services import render_with_limit, withdraw
from service.errors import Conflict, FieldError, InvalidInput, NotFound
from service.orgs.models import Organisation, OrgApiKey, OrgKind
from service.orgs.repositories import OrgRepository
from service.scopes import invalid_scopes, normalise
from service.times import to_utc

__all__ = [
    "ORG_RATE_LIMIT",
    "ORG_SCOPES",
    "create_org",
    "get_org_by_slug",
    "get_org_key",
    "issue_org_key",
    "publishes_under",
    "render_org_key",
    "revoke_org_key",
    "set_makes",
]

#: What an organisation's key may hold: pushing feeds (which implies reading its submissions),
#: and seeing and revoking the organisation's own keys. No key can mint one: operators do.
ORG_SCOPES = frozenset({"write:catalog", "read:api_keys", "write:api_keys"})
#: Requests per minute of an organisation key without its own limit (pushes are few and large).
ORG_RATE_LIMIT = 600

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TERM = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_HAS_ALNUM = re.compile(r"[A-Za-z0-9]")  # names are compared on their letters and digits


def _makes_errors(kind: str, makes: Sequence[str]) -> list[FieldError]:
    if kind != OrgKind.MANUFACTURER:
        return [FieldError("makes", "only a manufacturer organisation publishes under manufacturer names")]
    if bad := [m for m in makes if not m.strip() or len(m) > 200 or not _HAS_ALNUM.search(m)]:
        return [FieldError("makes", f"not a manufacturer name (1–200 characters with a letter or digit): {bad!r}")]
    return []


def _clean_makes(makes: Sequence[str]) -> list[str]:
    return sorted({m.strip() for m in makes})


def create_org(
    session: Session,
    *,
    kind: str,
    slug: str,
    name: str,
    terms: Sequence[str] = (),
    makes: Sequence[str] | None = None,
) -> Organisation:
    """Create an organisation. A manufacturer publishes under ``makes`` (default: its ``name``)."""
    errors: list[FieldError] = []
    if kind not in {k.value for k in OrgKind}:
        errors.append(FieldError("kind", "must be supplier or manufacturer"))
    if not _SLUG.match(slug):
        errors.append(FieldError("slug", "use 1–63 lowercase letters, digits and inner hyphens"))
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "must be 1–200 characters"))
    if bad := [t for t in terms if not _TERM.match(t)]:
        errors.append(FieldError("terms", f"not a term name: {', '.join(bad)}"))
    if makes is not None:
        errors += _makes_errors(kind, makes)
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    repo = OrgRepository(session)
    if repo.by_slug(slug) is not None:
        raise Conflict(f"an organisation with slug {slug!r} already exists")
    if kind == OrgKind.MANUFACTURER:
        makes = _clean_makes(makes or [name])
    return repo.add(Organisation(slug=slug, name=name.strip(), kind=kind, terms=sorted(set(terms)), makes=makes))


def set_makes(session: Session, org: Organisation, makes: Sequence[str]) -> Organisation:
    """Replace the manufacturer names ``org`` publishes under (checked on its next feeds; what
    it published before stays until it publishes again)."""
    if not makes:
        raise InvalidInput("makes: give at least one name", errors=[FieldError("makes", "give at least one name")])
    if errors := _makes_errors(org.kind, makes):
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    org.makes = _clean_makes(makes)
    session.flush()
    return org


def publishes_under(org_name: str, makes: Sequence[str] | None) -> list[str]:
    """The manufacturer names a manufacturer organisation's feed may use."""
    return list(makes) if makes else [org_name]


def get_org_by_slug(session: Session, slug: str) -> Organisation:
    org = OrgRepository(session).by_slug(slug)
    if org is None:
        raise NotFound(f"no organisation with slug {slug!r}")
    return org


def issue_org_key(
    session: Session,
    org: Organisation,
    *,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
    rate_limit: int | None = None,
    key: str | None = None,
) -> tuple[OrgApiKey, str]:
    """Create a key for ``org``; return the row and the key, which is never stored."""
    errors: list[FieldError] = []
    name = name.strip()
    if not 1 <= len(name) <= 100:
        errors.append(FieldError("name", "must be 1–100 characters"))
    if not scopes:
        errors.append(FieldError("scopes", "give at least one scope"))
    if unknown := invalid_scopes(scopes):
        errors.append(FieldError("scopes", f"unknown scopes: {', '.join(unknown)}"))
    elif beyond := sorted(set(scopes) - ORG_SCOPES):
        allowed = ", ".join(sorted(ORG_SCOPES))
        errors.append(FieldError("scopes", f"an organisation key may hold only {allowed}, not {', '.join(beyond)}"))
    if expires_at is not None:
        expires_at = to_utc(expires_at, "expires_at")
        if expires_at <= datetime.now(UTC):
            errors.append(FieldError("expires_at", "must be in the future"))
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)
    key = key or tokens.generate()
    row = OrgRepository(session).add_key(
        OrgApiKey(
            org_id=org.id,
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


def get_org_key(session: Session, org_id: uuid.UUID, key_id: uuid.UUID) -> OrgApiKey:
    """The organisation's key; another organisation's is as absent as one that never existed."""
    row = OrgRepository(session).key(org_id, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    return row


def revoke_org_key(session: Session, org_id: uuid.UUID, key_id: uuid.UUID) -> OrgApiKey:
    """Revoke the organisation's key exactly as a builder's is revoked (``withdraw``)."""
    row = get_org_key(session, org_id, key_id)
    withdraw(session, row)
    return row


def render_org_key(row: Sequence[Any]) -> ApiKeyOut:
    """A row of ``ORG_KEYS.columns`` as the API shows it."""
    return render_with_limit(row, row[4] or ORG_RATE_LIMIT)  # row[4]: the key's own rate_limit
