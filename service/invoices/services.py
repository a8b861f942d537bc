"""Invoices: draft → submitted → approved → paid. Lines, currency and vendor change only while
draft, and nothing once paid. Each change and each step writes its event in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from sqlalchemy.orm import Session, selectinload

from service.errors import FieldError, InvalidInput
from service.invoices.models import Invoice, InvoiceLine
from service.invoices.repositories import LINE_COLUMNS, LIST_COLUMNS
from service.invoices.schemas import InvoiceCreate, InvoiceLineIn, InvoiceLineOut, InvoiceOut, InvoiceUpdate
from service.money import STORAGE_SCALE, amount_error, canonical_amount
from service.projects.models import Project
from service.records import (
    Transition,
    as_row,
    blank,
    changes_of,
    emit,
    fail_on,
    frozen_unless,
    illegal,
    owned,
    referenced,
    remove,
    save_change,
    transition,
)
from service.vendors.models import Vendor

__all__ = ["act", "create_invoice", "delete_invoice", "render", "render_invoice", "update_invoice"]

CATEGORY = "invoice"
RULES = {
    "submit": Transition(("draft",), "submitted"),
    "approve": Transition(("submitted",), "approved"),
    "pay": Transition(("approved",), "paid"),
}
STEPS = {"submit": ("submitted", "submitted_at"), "approve": ("approved", "approved_at"), "pay": ("paid", "paid_at")}
DRAFT_ONLY = frozenset({"line_items", "currency", "vendor_id"})
EDITABLE = ("draft", "submitted", "approved")


def _amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    with localcontext(prec=60):  # exact: both factors have at most 18 digits
        return (quantity * unit_price).quantize(STORAGE_SCALE, rounding=ROUND_HALF_UP)


def _lines(builder_id: uuid.UUID, lines: list[InvoiceLineIn]) -> list[InvoiceLine]:
    errors: list[FieldError | None] = []
    for i, line in enumerate(lines):
        quantity = amount_error(f"line_items[{i}].quantity", line.quantity)
        if quantity is None and line.quantity <= 0:
            quantity = FieldError(f"line_items[{i}].quantity", "must be more than 0")
        errors += [blank(f"line_items[{i}].description", line.description), quantity]
        errors.append(amount_error(f"line_items[{i}].unit_price", line.unit_price))
    fail_on(errors)
    built = [
        InvoiceLine(
            builder_id=builder_id,
            position=i,
            description=line.description.strip(),
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=_amount(line.quantity, line.unit_price),
        )
        for i, line in enumerate(lines)
    ]
    fail_on([amount_error(f"line_items[{i}].amount", line.amount) for i, line in enumerate(built)])
    fail_on([amount_error("line_items", _total(built))])
    return built


def _total(lines: Sequence[InvoiceLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


def _key(lines: Sequence[InvoiceLine]) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.description, line.quantity, line.unit_price) for line in lines]


def _vendor(session: Session, builder_id: uuid.UUID, vendor_id: uuid.UUID | None) -> None:
    if vendor_id is not None:
        vendor = referenced(session, Vendor, builder_id, vendor_id, "vendor_id", "vendor")
        if vendor.status != "active":
            raise InvalidInput.field("vendor_id", f"vendor {vendor_id} is inactive")


def create_invoice(session: Session, builder_id: uuid.UUID, data: InvoiceCreate) -> Invoice:
    fail_on([blank("number", data.number)])
    referenced(session, Project, builder_id, data.project_id, "project_id", "project")
    _vendor(session, builder_id, data.vendor_id)
    lines = _lines(builder_id, data.line_items)
    now = datetime.now(UTC)
    invoice = Invoice(
        builder_id=builder_id,
        project_id=data.project_id,
        vendor_id=data.vendor_id,
        number=data.number.strip(),
        currency=data.currency,
        due_date=data.due_date,
        total=_total(lines),
        line_items=lines,
        created_at=now,
        updated_at=now,
    )
    session.add(invoice)
    session.flush()
    emit(session, CATEGORY, invoice, "created", render_invoice(invoice))
    return invoice


def get_invoice(session: Session, builder_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice:
    return owned(session, Invoice, builder_id, invoice_id, "invoice", selectinload(Invoice.line_items))


def update_invoice(session: Session, builder_id: uuid.UUID, invoice_id: uuid.UUID, data: InvoiceUpdate) -> Invoice:
    invoice = get_invoice(session, builder_id, invoice_id)
    changes = changes_of(data)
    if "number" in changes:
        fail_on([blank("number", changes["number"])])
        changes["number"] = changes["number"].strip()
    lines = _lines(builder_id, changes.pop("line_items")) if "line_items" in changes else None
    if lines is not None and _key(lines) == _key(invoice.line_items):
        lines = None
    differs = [f for f, value in changes.items() if getattr(invoice, f) != value]
    if lines is not None:
        differs.append("line_items")
    frozen_unless(invoice, "invoice", ("draft",), DRAFT_ONLY.intersection(differs))
    frozen_unless(invoice, "invoice", EDITABLE, differs)
    if "vendor_id" in differs:
        _vendor(session, builder_id, changes["vendor_id"])
    if lines is not None:
        invoice.line_items = lines
        invoice.total = _total(lines)
    for field, value in changes.items():
        setattr(invoice, field, value)
    if save_change(session, invoice):
        emit(session, CATEGORY, invoice, "updated", render_invoice(invoice))
    return invoice


def act(session: Session, builder_id: uuid.UUID, invoice_id: uuid.UUID, action: str) -> Invoice:
    """``submit``, ``approve`` or ``pay`` (409 from any other state than the rule's)."""
    invoice = get_invoice(session, builder_id, invoice_id)
    if action == "submit" and invoice.status == "draft" and not invoice.line_items:
        raise illegal(invoice, "an invoice needs at least one line item to be submitted")
    transition(invoice, "invoice", action, RULES)
    event, stamp = STEPS[action]
    setattr(invoice, stamp, datetime.now(UTC))
    save_change(session, invoice)
    emit(session, CATEGORY, invoice, event, render_invoice(invoice))
    return invoice


def delete_invoice(session: Session, builder_id: uuid.UUID, invoice_id: uuid.UUID) -> None:
    invoice = get_invoice(session, builder_id, invoice_id)
    if invoice.status in ("approved", "paid"):
        raise illegal(invoice, f"an invoice that is {invoice.status} is on the books and cannot be deleted")
    last = render_invoice(invoice)
    remove(session, invoice, "invoice", "dependent records")
    emit(session, CATEGORY, invoice, "deleted", last, deleted=True)


def render(row: Sequence[Any], lines: Sequence[Sequence[Any]]) -> InvoiceOut:
    """A row of ``LIST_COLUMNS`` and its rows of ``LINE_COLUMNS`` as the API shows them."""
    (iid, project_id, vendor_id, number, currency, due, total, status, submitted, approved, paid, *stamps) = row
    return InvoiceOut(
        iid,
        project_id,
        vendor_id,
        number,
        currency,
        due,
        [
            InvoiceLineOut(description, canonical_amount(quantity), canonical_amount(price), canonical_amount(amount))
            for (_, _, description, quantity, price, amount) in lines
        ],
        canonical_amount(total),
        status,
        submitted,
        approved,
        paid,
        *stamps,
    )


def render_invoice(invoice: Invoice) -> InvoiceOut:
    return render(as_row(invoice, LIST_COLUMNS), [as_row(line, LINE_COLUMNS) for line in invoice.line_items])
