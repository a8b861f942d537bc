from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.db.database import database
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response
from service.http.filters import CreatedAfter, CreatedBefore, ProjectFilter, UpdatedAfter, time_filters
from service.http.pagination import Cursor, Limit, PageParams
from service.invoices import services
from service.invoices.models import Invoice
from service.invoices.repositories import INVOICE_LINES, INVOICE_LIST, ONE_INVOICE
from service.invoices.schemas import InvoiceCreate, InvoiceOut, InvoicePage, InvoiceUpdate, Status
from service.records import Guarded, created, fetch_with_children, page_with_children

__all__ = ["InvoiceController"]

INVOICES = Guarded(Invoice, "invoice")

InvoiceId = FromPath[uuid.UUID]


async def _act(
    request: Request[Any, Any, Any], state: State, invoice_id: uuid.UUID, action: str
) -> Response[InvoiceOut]:
    return await INVOICES.answer(
        request,
        state,
        invoice_id,
        lambda session, builder_id: services.render_invoice(services.act(session, builder_id, invoice_id, action)),
    )


class InvoiceController(Controller):
    path = "/invoices"
    tags = ["Invoices"]

    @get("/", **needs("read:invoices"), operation_id="listInvoices", summary="List invoices, newest first")
    async def list_invoices(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        project_id: ProjectFilter = None,
        vendor_id: Annotated[uuid.UUID | None, QueryParameter(description="Only this vendor's invoices.")] = None,
        status: Annotated[Status | None, QueryParameter(description="Only invoices in this status.")] = None,
    ) -> InvoicePage:
        return await page_with_children(
            database(state),
            INVOICE_LIST,
            INVOICE_LINES,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            InvoicePage,
            project_id=project_id,
            vendor_id=vendor_id,
            status=status,
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:invoices"),
        **conditional("create"),
        operation_id="createInvoice",
        status_code=201,
        summary="Record a draft invoice",
        description="Each line's amount is quantity × unit_price (rounded half up to 4 decimals); "
        "total is their sum. The vendor, if given, must be one of the builder's active vendors.",
    )
    async def create_invoice(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[InvoiceCreate]
    ) -> Response[InvoiceOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_invoice(services.create_invoice(session, builder_id, data))
        )
        return created(out, "invoices", out.id)

    @get(
        "/{invoice_id:uuid}",
        **needs("read:invoices"),
        **conditional("read"),
        operation_id="getInvoice",
        summary="Get an invoice",
    )
    async def get_invoice(
        self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId
    ) -> Response[InvoiceOut]:
        params = {"builder_id": principal_of(request).builder_id, "id": invoice_id}
        out = await fetch_with_children(
            database(state), ONE_INVOICE, INVOICE_LINES, params, services.render, f"no invoice {invoice_id}"
        )
        return read_response(request, out)

    @patch(
        "/{invoice_id:uuid}",
        **needs("write:invoices"),
        **conditional("write"),
        operation_id="updateInvoice",
        summary="Change an invoice",
        description="Send only the fields to change; `line_items` replaces all the lines. Lines, currency and "
        "vendor change only while draft, nothing once paid (409).",
    )
    async def update_invoice(
        self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId, data: JSONBody[InvoiceUpdate]
    ) -> Response[InvoiceOut]:
        return await INVOICES.answer(
            request,
            state,
            invoice_id,
            lambda session, builder_id: services.render_invoice(
                services.update_invoice(session, builder_id, invoice_id, data)
            ),
        )

    @delete(
        "/{invoice_id:uuid}",
        **needs("write:invoices"),
        **conditional("write"),
        operation_id="deleteInvoice",
        summary="Delete an invoice",
        description="Only a draft or submitted invoice; an approved or paid one is 409.",
    )
    async def delete_invoice(self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId) -> None:
        await INVOICES.write(
            request,
            state,
            invoice_id,
            lambda session, builder_id: services.delete_invoice(session, builder_id, invoice_id),
        )

    @post(
        "/{invoice_id:uuid}/submit",
        **needs("write:invoices"),
        **conditional("write"),
        operation_id="submitInvoice",
        status_code=200,
        summary="Submit a draft invoice for approval",
    )
    async def submit(
        self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId
    ) -> Response[InvoiceOut]:
        return await _act(request, state, invoice_id, "submit")

    @post(
        "/{invoice_id:uuid}/approve",
        **needs("write:invoices"),
        **conditional("write"),
        operation_id="approveInvoice",
        status_code=200,
        summary="Approve a submitted invoice",
    )
    async def approve(
        self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId
    ) -> Response[InvoiceOut]:
        return await _act(request, state, invoice_id, "approve")

    @post(
        "/{invoice_id:uuid}/pay",
        **needs("write:invoices"),
        **conditional("write"),
        operation_id="payInvoice",
        status_code=200,
        summary="Mark an approved invoice paid",
    )
    async def pay(self, request: Request[Any, Any, Any], state: State, invoice_id: InvoiceId) -> Response[InvoiceOut]:
        return await _act(request, state, invoice_id, "pay")
