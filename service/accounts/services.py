"""Creating and finding builders (tenants) and their users."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from service.accounts.models import Builder, Plan, User, UserRole
from service.accounts.repositories import BuilderRepository
from service.errors import Conflict, InvalidInput, NotFound

__all__ = ["create_builder", "create_user", "get_builder_by_slug"]

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


def create_user(session: Session, builder: Builder, *, email: str, name: str = "", role: str = UserRole.MEMBER) -> User:
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise InvalidInput.field("email", "must be an email address")
    repo = BuilderRepository(session)
    if repo.user_by_email(email) is not None:
        raise Conflict(f"a user with email {email!r} already exists")
    return repo.add_user(User(builder_id=builder.id, email=email, name=name, role=role))
