"""Creating, changing and deleting vendors, each change with its event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from service.projects.schemas import Address
from service.records import as_row, blank, changes_of, emit, fail_on, owned, remove, save_change
from service.vendors.models import Vendor
from service.vendors.repositories import LIST_COLUMNS
from service.vendors.schemas import VendorCreate, VendorOut, VendorUpdate

__all__ = ["create_vendor", "delete_vendor", "render", "render_vendor", "update_vendor"]

CATEGORY = "vendor"


def _address(value: Address | None) -> dict[str, Any] | None:
    return None if value is None else msgspec.to_builtins(value)


def create_vendor(session: Session, builder_id: uuid.UUID, data: VendorCreate) -> Vendor:
    fail_on([blank("name", data.name)])
    now = datetime.now(UTC)
    fields = changes_of(data) | {"name": data.name.strip(), "address": _address(data.address)}
    vendor = Vendor(builder_id=builder_id, created_at=now, updated_at=now, **fields)
    session.add(vendor)
    session.flush()
    emit(session, CATEGORY, vendor, "created", render_vendor(vendor))
    return vendor


def update_vendor(session: Session, builder_id: uuid.UUID, vendor_id: uuid.UUID, data: VendorUpdate) -> Vendor:
    vendor = owned(session, Vendor, builder_id, vendor_id, "vendor")
    changes = changes_of(data)
    if "name" in changes:
        fail_on([blank("name", changes["name"])])
        changes["name"] = changes["name"].strip()
    if "address" in changes:
        changes["address"] = _address(changes["address"])
    for field, value in changes.items():
        setattr(vendor, field, value)
    if save_change(session, vendor):
        emit(session, CATEGORY, vendor, "updated", render_vendor(vendor))
    return vendor


def delete_vendor(session: Session, builder_id: uuid.UUID, vendor_id: uuid.UUID) -> None:
    vendor = owned(session, Vendor, builder_id, vendor_id, "vendor")
    last = render_vendor(vendor)
    remove(session, vendor, "vendor", "invoices")
    emit(session, CATEGORY, vendor, "deleted", last, deleted=True)


def render(row: Sequence[Any]) -> VendorOut:
    """A row of ``LIST_COLUMNS`` as the API shows it (by position; same order as VendorOut)."""
    (vid, name, trade, email, phone, address, tax_id, status, version, created, updated) = row
    return VendorOut(
        vid,
        name,
        trade,
        email,
        phone,
        None if address is None else msgspec.convert(address, Address),
        tax_id,
        status,
        version,
        created,
        updated,
    )


def render_vendor(vendor: Vendor) -> VendorOut:
    return render(as_row(vendor, LIST_COLUMNS))
