from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.db.database import database
from service.errors import NotFound
from service.http.auth import needs, principal_of
from service.http.conditional import conditional, read_response
from service.http.filters import CreatedAfter, CreatedBefore, UpdatedAfter, prefix_pattern, time_filters
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.records import Guarded, created
from service.vendors import services
from service.vendors.models import Vendor
from service.vendors.repositories import ONE_VENDOR, VENDOR_LIST
from service.vendors.schemas import Status, Trade, VendorCreate, VendorOut, VendorPage, VendorUpdate

__all__ = ["VendorController"]

VENDORS = Guarded(Vendor, "vendor")


class VendorController(Controller):
    path = "/vendors"
    tags = ["Vendors"]

    @get("/", **needs("read:vendors"), operation_id="listVendors", summary="List vendors, newest first")
    async def list_vendors(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        created_after: CreatedAfter = None,
        created_before: CreatedBefore = None,
        updated_after: UpdatedAfter = None,
        trade: Annotated[Trade | None, QueryParameter(description="Only vendors of this trade.")] = None,
        status: Annotated[Status | None, QueryParameter(description="Only active or only inactive vendors.")] = None,
        name_prefix: Annotated[
            str | None,
            QueryParameter(min_length=1, max_length=200, description="Only vendors whose name starts so (any case)."),
        ] = None,
    ) -> VendorPage:
        return await paginate(
            database(state),
            VENDOR_LIST,
            principal_of(request).builder_id,
            PageParams.of(limit, cursor),
            services.render,
            VendorPage,
            trade=trade,
            status=status,
            name_prefix=prefix_pattern(name_prefix),
            **time_filters(created_after, created_before, updated_after),
        )

    @post(
        "/",
        **needs("write:vendors"),
        **conditional("create"),
        operation_id="createVendor",
        status_code=201,
        summary="Add a vendor",
    )
    async def create_vendor(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[VendorCreate]
    ) -> Response[VendorOut]:
        builder_id = principal_of(request).builder_id
        out = await database(state).write(
            lambda session: services.render_vendor(services.create_vendor(session, builder_id, data))
        )
        return created(out, "vendors", out.id)

    @get(
        "/{vendor_id:uuid}",
        **needs("read:vendors"),
        **conditional("read"),
        operation_id="getVendor",
        summary="Get a vendor",
    )
    async def get_vendor(
        self, request: Request[Any, Any, Any], state: State, vendor_id: FromPath[uuid.UUID]
    ) -> Response[VendorOut]:
        row = await database(state).fetch_one(
            ONE_VENDOR, {"builder_id": principal_of(request).builder_id, "id": vendor_id}
        )
        if row is None:
            raise NotFound(f"no vendor {vendor_id}")
        return read_response(request, services.render(row))

    @patch(
        "/{vendor_id:uuid}",
        **needs("write:vendors"),
        **conditional("write"),
        operation_id="updateVendor",
        summary="Change a vendor",
        description="Send only the fields to change; null clears an optional field.",
    )
    async def update_vendor(
        self,
        request: Request[Any, Any, Any],
        state: State,
        vendor_id: FromPath[uuid.UUID],
        data: JSONBody[VendorUpdate],
    ) -> Response[VendorOut]:
        return await VENDORS.answer(
            request,
            state,
            vendor_id,
            lambda session, builder_id: services.render_vendor(
                services.update_vendor(session, builder_id, vendor_id, data)
            ),
        )

    @delete(
        "/{vendor_id:uuid}",
        **needs("write:vendors"),
        **conditional("write"),
        operation_id="deleteVendor",
        summary="Delete a vendor",
        description="A vendor that invoices still name cannot be deleted (409); mark it inactive instead.",
    )
    async def delete_vendor(
        self, request: Request[Any, Any, Any], state: State, vendor_id: FromPath[uuid.UUID]
    ) -> None:
        await VENDORS.write(
            request,
            state,
            vendor_id,
            lambda session, builder_id: services.delete_vendor(session, builder_id, vendor_id),
        )
