"""Demo tenants for the embedded default (``joist seed --demo``). Running it twice changes nothing.

Also the demo's supplier and manufacturer organisations with a few platform-negotiated deals, and
the sample feeds of ``joist demo feeds``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import Builder, UserRole
from service.accounts.repositories import BuilderRepository
from service.accounts.services import create_builder, create_user
from service.api_keys import tokens
from service.api_keys.models import ApiKey
from service.api_keys.services import issue_key
from service.deals.repositories import DealRepository
from service.deals.services import create_deal
from service.orgs.repositories import OrgRepository
from service.orgs.services import create_org
from service.scopes import SCOPES
from service.settings import Settings

if TYPE_CHECKING:
    from contracts.samples import SampleStats

__all__ = ["DEMO_BUILDERS", "DEMO_DEALS", "DEMO_ORGS", "seed_demo", "write_sample_feeds"]

DEMO_BUILDERS = (
    ("cascade-homes", "Cascade Custom Homes", "professional", "owner@cascade-homes.example"),
    ("summit-gc", "Summit General Contracting", "business", "owner@summit-gc.example"),
    ("ridgeline-remodel", "Ridgeline Remodeling", "starter", "owner@ridgeline-remodel.example"),
)

# The suppliers of contracts.samples (their slugs are the catalog's supplier names) and a manufacturer.
DEMO_ORGS = (
    ("supplier", "front-range-supply", "Front Range Building Supply"),
    ("supplier", "summit-lumber", "Summit Lumber & Hardware"),
    ("supplier", "pacific-plumbing", "Pacific Plumbing & Electric Wholesale"),
    ("manufacturer", "mueller-industries", "Mueller Industries"),
)
#: The demo manufacturer's name, the one its feeds may list products under: `joist demo feeds`
#: writes its range only (another maker's rows would be rejected, manufacturer_of_source).
DEMO_MANUFACTURER = "Mueller Industries"
# name, supplier, category, percent off, eligible plans
DEMO_DEALS = (
    ("Front Range lumber: 8% off for Professional and up", "front-range-supply", "Lumber", "8",
     ("professional", "business", "enterprise")),
    ("Pacific Plumbing copper pipe: 5% off for Business and up", "pacific-plumbing", "Plumbing > Pipe > Copper", "5",
     ("business", "enterprise")),
    ("Summit Lumber sheet goods: 3% off for everyone", "summit-lumber", "Lumber > Sheet Goods", "3",
     ("starter", "professional", "business", "enterprise")),
)  # fmt: skip
_DEMO_DEALS_FROM = datetime(2026, 1, 1, tzinfo=UTC)


def _ensure_orgs_and_deals(session: Session) -> None:
    orgs = OrgRepository(session)
    for kind, slug, name in DEMO_ORGS:
        if orgs.by_slug(slug) is None:
            create_org(session, kind=kind, slug=slug, name=name)
    deals = DealRepository(session)
    for name, supplier, category, percent, plans in DEMO_DEALS:
        if deals.by_name(name) is None:
            create_deal(
                session,
                name=name,
                supplier=supplier,
                category=category,
                discount_percent=Decimal(percent),
                plans=plans,
                valid_from=_DEMO_DEALS_FROM,
            )


def write_sample_feeds(out: Path, *, rows: int, dirty: bool = False, seed: int = 0) -> list[SampleStats]:
    """Sample feeds for the demo and benchmarks: ``supplier_catalog.csv`` (``rows`` rows, bounded
    memory at any size), ``manufacturer_feed.csv`` (the demo manufacturer's range), ``cost_items.csv``,
    ``location_index.csv``."""
    from contracts.samples import (  # NumPy and Polars: loaded only when samples are wanted
        write_cost_items_csv,
        write_location_index_csv,
        write_manufacturer_csv,
        write_supplier_csv,
    )

    return [
        write_supplier_csv(out / "supplier_catalog.csv", rows, seed=seed, dirty=dirty),
        write_manufacturer_csv(
            out / "manufacturer_feed.csv",
            min(rows, MAX_MANUFACTURER_ROWS),
            seed=seed,
            manufacturer=DEMO_MANUFACTURER,
            dirty=dirty,
        ),
        write_cost_items_csv(out / "cost_items.csv", seed=seed, dirty=dirty),
        write_location_index_csv(out / "location_index.csv", seed=seed),
    ]


# The manufacturer feed is built in memory; a manufacturer's range is this size at most anyway.
MAX_MANUFACTURER_ROWS = 50_000


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
    _ensure_orgs_and_deals(session)
    key = tokens.from_seed(b"joist-demo-api-key\0" + settings.secret_key.encode())
    existing = session.scalars(select(ApiKey).where(ApiKey.key_hash == tokens.hash_key(key))).first()
    if existing is None:
        issue_key(session, builders[0], name="Demo key", scopes=sorted(SCOPES), key=key)
    return key
