from __future__ import annotations

from sqlalchemy import bindparam, func, select

from service.http.filters import time_clauses
from service.http.pagination import ListQuery
from service.vendors.models import Vendor

__all__ = ["LIST_COLUMNS", "ONE_VENDOR", "VENDORS", "VENDOR_LIST"]

VENDORS = Vendor.__table__.c
# In VendorOut's field order: rows render by position.
LIST_COLUMNS = (
    VENDORS.id,
    VENDORS.name,
    VENDORS.trade,
    VENDORS.contact_email,
    VENDORS.contact_phone,
    VENDORS.address,
    VENDORS.tax_id,
    VENDORS.status,
    VENDORS.version,
    VENDORS.created_at,
    VENDORS.updated_at,
)

VENDOR_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=VENDORS.builder_id,
    created_at=VENDORS.created_at,
    ident=VENDORS.id,
    filters={
        "trade": VENDORS.trade == bindparam("trade"),
        "status": VENDORS.status == bindparam("status"),
        "name_prefix": func.lower(VENDORS.name).like(bindparam("name_prefix"), escape="\\"),
        **time_clauses(VENDORS.created_at, VENDORS.updated_at),
    },
)
ONE_VENDOR = select(*LIST_COLUMNS).where(VENDORS.builder_id == bindparam("builder_id"), VENDORS.id == bindparam("id"))
