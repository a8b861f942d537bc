"""Creating and finding builders (tenants), the people who sign in, and their keys."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import Builder, Plan, User, UserKey, UserKind, UserRole
from service.accounts.passwords import MAX_PASSWORD, MIN_PASSWORD, check_password, hash_password
from service.accounts.repositories import BuilderRepository
from service.errors import Conflict, InvalidInput, NotFound
from service.oauth import tokens

__all__ = [
    "PERSON_KEY_SCOPES",
    "create_builder",
    "create_person",
    "create_user",
    "get_builder_by_slug",
    "issue_person_key",
    "verify_login",
]

# Developer and staff keys reach the developer portal and review API, never a tenant's data.
PERSON_KEY_SCOPES = ["read:marketplace", "write:marketplace"]
_KEY_PREFIX = {UserKind.DEVELOPER: tokens.DEVELOPER_KEY, UserKind.STAFF: tokens.STAFF_KEY}

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def create_builder(session: Session, *, slug: str, name: str, plan: str = Plan.STARTER) -> Builder:
    if not _SLUG.match(slug):
        raise InvalidInput.field("slug", "use 1–63 lowercase letters, digits and inner hyphens")
    if not name.strip() or len(name) > 200:
        raise InvalidInput.field("name", "must be 1–200 characters")
    if plan not in {p.value for p in Plan}:
        raise InvalidInput.field("plan", f"must be one of {', '.join(p.value for p in Plan)}")
    repo = BuilderRepository(session)
    if repo.by_slug(slug) is not None:
        raise Conflict(f"a builder with slug {slug!r} already exists")
    return repo.add(Builder(slug=slug, name=name.strip(), plan=plan))


def get_builder_by_slug(session: Session, slug: str) -> Builder:
    builder = BuilderRepository(session).by_slug(slug)
    if builder is None:
        raise NotFound(f"no builder with slug {slug!r}")
    return builder


def _checked_email(session: Session, email: str) -> str:
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        raise InvalidInput.field("email", "must be an email address")
    if BuilderRepository(session).user_by_email(email) is not None:
        raise Conflict(f"a user with email {email!r} already exists")
    return email


def _checked_password(password: str | None) -> str | None:
    if password is None:
        return None
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput.field("password", f"must be {MIN_PASSWORD}–{MAX_PASSWORD} characters")
    return hash_password(password)


def create_user(
    session: Session,
    builder: Builder,
    *,
    email: str,
    name: str = "",
    role: str = UserRole.MEMBER,
    password: str | None = None,
) -> User:
    """A builder's user; with a password they can sign in to the web pages."""
    if role not in {r.value for r in UserRole}:
        raise InvalidInput.field("role", f"must be one of {', '.join(r.value for r in UserRole)}")
    email = _checked_email(session, email)
    return BuilderRepository(session).add_user(
        User(
            builder_id=builder.id,
            email=email,
            name=name,
            role=role,
            kind=UserKind.BUILDER.value,
            password_hash=_checked_password(password),
        )
    )


def create_person(session: Session, kind: UserKind, *, email: str, password: str, name: str = "") -> User:
    """A developer account or a platform staff member (they belong to no builder)."""
    if kind == UserKind.BUILDER:
        raise ValueError("builder users are made with create_user")
    email = _checked_email(session, email)
    return BuilderRepository(session).add_user(
        User(
            builder_id=None,
            email=email,
            name=name,
            role=UserRole.MEMBER.value,
            kind=kind.value,
            password_hash=_checked_password(password),
        )
    )


def issue_person_key(session: Session, user: User) -> str:
    """A developer's or staff member's API key; returned once, stored as its SHA-256."""
    prefix = _KEY_PREFIX[UserKind(user.kind)]
    key = tokens.generate(prefix)
    session.add(
        UserKey(
            user_id=user.id,
            key_hash=tokens.digest(key),
            key_prefix=tokens.prefix_of(key, prefix),
            scopes=list(PERSON_KEY_SCOPES),
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return key


def verify_login(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None (an unknown email costs the
    same argon2 verification as a wrong password)."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    ok = check_password(user.password_hash if user is not None else None, password)
    if user is None or not ok or not user.is_active:
        return None
    return user
