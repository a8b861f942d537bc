"""Demo tenants for the embedded default (``joist seed --demo``). Running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import Builder, UserRole
from service.accounts.repositories import BuilderRepository
from service.accounts.services import create_builder, create_user
from service.api_keys import tokens
from service.api_keys.models import ApiKey
from service.api_keys.services import issue_key
from service.scopes import SCOPES
from service.settings import Settings

__all__ = ["DEMO_BUILDERS", "seed_demo"]

DEMO_BUILDERS = (
    ("cascade-homes", "Cascade Custom Homes", "professional", "owner@cascade-homes.example"),
    ("summit-gc", "Summit General Contracting", "business", "owner@summit-gc.example"),
    ("ridgeline-remodel", "Ridgeline Remodeling", "starter", "owner@ridgeline-remodel.example"),
)


def _ensure_builder(session: Session, slug: str, name: str, plan: str, owner_email: str) -> Builder:
    repo = BuilderRepository(session)
    builder = repo.by_slug(slug) or create_builder(session, slug=slug, name=name, plan=plan)
    if repo.user_by_email(owner_email) is None:
        create_user(session, builder, email=owner_email, name=f"{name} owner", role=UserRole.OWNER)
    return builder


def seed_demo(session: Session, settings: Settings) -> str:
    """Create the demo builders and return the demo API key of the first one.

    The demo key is derived from the instance key, so it is the same on every start of one
    installation and different between installations.
    """
    builders = [_ensure_builder(session, *spec) for spec in DEMO_BUILDERS]
    key = tokens.from_seed(b"joist-demo-api-key\0" + settings.secret_key.encode())
    existing = session.scalars(select(ApiKey).where(ApiKey.key_hash == tokens.hash_key(key))).first()
    if existing is None:
        issue_key(session, builders[0], name="Demo key", scopes=sorted(SCOPES), key=key)
    return key
