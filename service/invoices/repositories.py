from __future__ import annotations

from sqlalchemy import bindparam, select

from service.http.filters import time_clauses
from service.http.pagination import ListQuery
from service.invoices.models import Invoice, InvoiceLine
from service.records import ChildQuery

__all__ = ["INVOICES", "INVOICE_LINES", "INVOICE_LIST", "LINE_COLUMNS", "LIST_COLUMNS", "ONE_INVOICE"]

INVOICES = Invoice.__table__.c
LINES = InvoiceLine.__table__.c
# Rows render by position (see services.render); the id comes first.
LIST_COLUMNS = (
    INVOICES.id,
    INVOICES.project_id,
    INVOICES.vendor_id,
    INVOICES.number,
    INVOICES.currency,
    INVOICES.due_date,
    INVOICES.total,
    INVOICES.status,
    INVOICES.submitted_at,
    INVOICES.approved_at,
    INVOICES.paid_at,
    INVOICES.version,
    INVOICES.created_at,
    INVOICES.updated_at,
)
LINE_COLUMNS = (LINES.invoice_id, LINES.position, LINES.description, LINES.quantity, LINES.unit_price, LINES.amount)

INVOICE_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=INVOICES.builder_id,
    created_at=INVOICES.created_at,
    ident=INVOICES.id,
    filters={
        "project_id": INVOICES.project_id == bindparam("project_id"),
        "vendor_id": INVOICES.vendor_id == bindparam("vendor_id"),
        "status": INVOICES.status == bindparam("status"),
        **time_clauses(INVOICES.created_at, INVOICES.updated_at),
    },
)
ONE_INVOICE = select(*LIST_COLUMNS).where(
    INVOICES.builder_id == bindparam("builder_id"), INVOICES.id == bindparam("id")
)
INVOICE_LINES = ChildQuery(LINE_COLUMNS, tenant=LINES.builder_id, parent=LINES.invoice_id, order=LINES.position)
