from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from service.crypto import Sealer
from service.db.database import database
from service.errors import InvalidInput, NotFound
from service.events.catalogue import EVENT_TYPES, schema_of
from service.http.auth import Principal, needs, principal_of
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.outbound import OutboundPolicy, OutboundRefused
from service.times import to_utc
from service.webhooks import messages, services
from service.webhooks.repositories import (
    ATTEMPTS_OF_PAGE,
    DELIVERY_LIST,
    ONE_APP_SUBSCRIPTION,
    ONE_DELIVERY,
    ONE_SUBSCRIPTION,
    SUBSCRIPTION_LIST,
)
from service.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    DeliveryState,
    EventTypeList,
    EventTypeOut,
    RecoverIn,
    RecoverOut,
    RotatedSecret,
    RotateSecretIn,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPage,
)

__all__ = ["WebhookController"]

_EXAMPLE_ID = uuid.UUID("0193b1b4-5c1e-7d3a-9f10-000000000001")
_EXAMPLE_TIME = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)


async def _checked(state: State, data: WebhookIn, principal: Principal) -> None:
    """The selection must name known types whose data the credential may read; the URL must be
    https (or an operator-allowed network) and resolve to public addresses. The cheap checks
    first: DNS can be slow."""
    services.check_readable(services.check_selection(data.event_types), principal.scopes)
    url = data.url
    policy: OutboundPolicy = state.outbound
    try:
        await policy.check_destination(url)
    except OutboundRefused as exc:
        raise InvalidInput.field("url", str(exc)) from exc


def _owner(request: Request[Any, Any, Any]) -> services.Owner:
    principal = principal_of(request)
    return services.Owner(principal.builder_id, principal.app_id)


async def _owned(state: State, owner: services.Owner, webhook_id: uuid.UUID) -> Any:
    """The webhook's row, if the caller may see it (else 404, as for one that does not exist)."""
    params = {"builder_id": owner.builder_id, "subscription_id": webhook_id}
    if owner.app_id is None:
        row = await database(state).fetch_one(ONE_SUBSCRIPTION, params)
    else:
        row = await database(state).fetch_one(ONE_APP_SUBSCRIPTION, {**params, "app_id": owner.app_id})
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return row


def _sealer(state: State) -> Sealer:
    sealer: Sealer = state.webhook_sealer
    return sealer


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["Webhooks"]

    @get(
        "/event-types",
        **needs("read:webhooks"),
        operation_id="listWebhookEventTypes",
        summary="The event types a webhook can select",
        description="Each type with the JSON Schema of its data object and a complete example body.",
    )
    async def event_types(self) -> EventTypeList:
        return EventTypeList(
            data=[
                EventTypeOut(
                    type=t.name,
                    category=t.name.split(".", 1)[0],
                    description=t.description,
                    scope=t.scope,
                    schema=schema_of(t.name),
                    example=msgspec.to_builtins(messages.message(_EXAMPLE_ID, t.name, _EXAMPLE_TIME, 3, t.example)),
                )
                for t in EVENT_TYPES.values()
            ]
        )

    @get("/", **needs("read:webhooks"), operation_id="listWebhooks", summary="List webhooks, newest first")
    async def list_webhooks(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        enabled: Annotated[bool | None, QueryParameter(description="Only enabled (or disabled) webhooks.")] = None,
    ) -> WebhookPage:
        owner = _owner(request)
        return await paginate(
            database(state),
            SUBSCRIPTION_LIST,
            owner.builder_id,
            PageParams.of(limit, cursor),
            services.render,
            WebhookPage,
            enabled=enabled,
            app_id=owner.app_id,
        )

    @post(
        "/",
        **needs("write:webhooks"),
        operation_id="createWebhook",
        status_code=201,
        summary="Create a webhook",
        description="The response carries the signing secret (whsec_…), shown only this once. Deliveries are "
        "signed per Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature.",
    )
    async def create_webhook(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[WebhookIn]
    ) -> Response[WebhookCreated]:
        await _checked(state, data, principal_of(request))
        owner = _owner(request)
        sealer = _sealer(state)
        created = await database(state).write(
            lambda session: services.create_subscription(session, owner, data, sealer)
        )
        return Response(created, status_code=201, headers={"Location": f"/api/v1/webhooks/{created.id}"})

    @get("/{webhook_id:uuid}", **needs("read:webhooks"), operation_id="getWebhook", summary="Get a webhook")
    async def get_webhook(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID]
    ) -> WebhookOut:
        return services.render(await _owned(state, _owner(request), webhook_id))

    @put(
        "/{webhook_id:uuid}",
        **needs("write:webhooks"),
        operation_id="updateWebhook",
        summary="Replace a webhook's URL, event selection and description",
        description="The secret and the enabled state stay as they are (see rotate-secret and enable).",
    )
    async def update_webhook(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID], data: JSONBody[WebhookIn]
    ) -> WebhookOut:
        await _checked(state, data, principal_of(request))
        owner = _owner(request)
        return await database(state).write(
            lambda session: services.render_subscription(
                services.replace_subscription(session, owner, webhook_id, data)
            )
        )

    @delete("/{webhook_id:uuid}", **needs("write:webhooks"), operation_id="deleteWebhook", summary="Delete a webhook")
    async def delete_webhook(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID]
    ) -> None:
        owner = _owner(request)
        await database(state).write(lambda session: services.delete_subscription(session, owner, webhook_id))

    @post(
        "/{webhook_id:uuid}/rotate-secret",
        **needs("write:webhooks"),
        operation_id="rotateWebhookSecret",
        status_code=200,
        summary="Replace the signing secret",
        description="The new secret signs at once; for overlap_seconds deliveries carry a second signature made "
        "with the old one, so receivers can switch without missing a message.",
    )
    async def rotate_secret(
        self,
        request: Request[Any, Any, Any],
        state: State,
        webhook_id: FromPath[uuid.UUID],
        data: JSONBody[RotateSecretIn],
    ) -> RotatedSecret:
        owner = _owner(request)
        sealer = _sealer(state)
        return await database(state).write(
            lambda session: services.rotate_secret(session, owner, webhook_id, data.overlap_seconds, sealer)
        )

    @post(
        "/{webhook_id:uuid}/enable",
        **needs("write:webhooks"),
        operation_id="enableWebhook",
        status_code=200,
        summary="Enable a disabled webhook",
        description="Clears the failure count. What was missed while disabled is re-sent with recover.",
    )
    async def enable_webhook(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID]
    ) -> WebhookOut:
        owner = _owner(request)
        return await database(state).write(
            lambda session: services.render_subscription(services.enable(session, owner, webhook_id))
        )

    @post(
        "/{webhook_id:uuid}/test",
        **needs("write:webhooks"),
        operation_id="testWebhook",
        status_code=202,
        summary="Send a signed webhook.test event",
        description="Queued through the normal delivery path whatever the webhook selects; follow it in the "
        "delivery log.",
    )
    async def test_webhook(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID]
    ) -> Response[DeliveryOut]:
        owner = _owner(request)
        delivery_id = await database(state).write(lambda session: services.send_test(session, owner, webhook_id))
        return await self._queued(state, webhook_id, delivery_id)

    @get(
        "/{webhook_id:uuid}/deliveries",
        **needs("read:webhooks"),
        operation_id="listWebhookDeliveries",
        summary="The delivery log, newest first",
        description="Per delivery its event, state, attempt count and next attempt; per attempt its time, "
        "request headers, status, response headers, the first 20 kB of the body, duration and error.",
    )
    async def list_deliveries(
        self,
        request: Request[Any, Any, Any],
        state: State,
        webhook_id: FromPath[uuid.UUID],
        limit: Limit = 25,
        cursor: Cursor = None,
        delivery_state: Annotated[
            DeliveryState | None, QueryParameter(name="state", description="Only deliveries in this state.")
        ] = None,
        event_type: Annotated[str | None, QueryParameter(description="Only deliveries of this event type.")] = None,
        event_id: Annotated[uuid.UUID | None, QueryParameter(description="Only deliveries of this event.")] = None,
    ) -> DeliveryPage:
        db = database(state)
        await _owned(state, _owner(request), webhook_id)
        page = await paginate(
            db,
            DELIVERY_LIST,
            webhook_id,
            PageParams.of(limit, cursor),
            _render_delivery,
            DeliveryPage,
            state=delivery_state,
            event_type=event_type,
            event_id=event_id,
        )
        await _attach_attempts(state, webhook_id, page.data)
        return page

    @post(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/replay",
        **needs("write:webhooks"),
        operation_id="replayWebhookDelivery",
        status_code=202,
        summary="Send a finished delivery's event again",
        description="A new delivery of the same event (same webhook-id, so receivers can de-duplicate).",
    )
    async def replay_delivery(
        self,
        request: Request[Any, Any, Any],
        state: State,
        webhook_id: FromPath[uuid.UUID],
        delivery_id: FromPath[uuid.UUID],
    ) -> Response[DeliveryOut]:
        owner = _owner(request)
        new_id = await database(state).write(lambda session: services.replay(session, owner, webhook_id, delivery_id))
        return await self._queued(state, webhook_id, new_id)

    @post(
        "/{webhook_id:uuid}/recover",
        **needs("write:webhooks"),
        operation_id="recoverWebhook",
        status_code=202,
        summary="Re-send what failed or was never sent in a time window",
        description="Failed deliveries since `since` (up to `until`, default now) are queued again, and events "
        "the webhook selects but never received (while disabled, say) are queued for the first time.",
    )
    async def recover(
        self, request: Request[Any, Any, Any], state: State, webhook_id: FromPath[uuid.UUID], data: JSONBody[RecoverIn]
    ) -> RecoverOut:
        owner = _owner(request)
        since = to_utc(data.since, "since")
        until = None if data.until is None else to_utc(data.until, "until")
        return await database(state).write(lambda session: services.recover(session, owner, webhook_id, since, until))

    async def _queued(self, state: State, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> Response[DeliveryOut]:
        row = await database(state).fetch_one(ONE_DELIVERY, {"subscription_id": webhook_id, "delivery_id": delivery_id})
        assert row is not None  # committed by the write that returned its id
        return Response(
            _render_delivery(row),
            status_code=202,
            headers={"Location": f"/api/v1/webhooks/{webhook_id}/deliveries?event_id={row[1]}"},
        )


def _render_delivery(row: Any) -> DeliveryOut:
    return DeliveryOut(*row)


async def _attach_attempts(state: State, webhook_id: uuid.UUID, deliveries: list[DeliveryOut]) -> None:
    if not deliveries:
        return
    newest, oldest = deliveries[0], deliveries[-1]
    rows = await database(state).fetch_all(
        ATTEMPTS_OF_PAGE,
        {
            "subscription_id": webhook_id,
            "newest_created": newest.created_at,
            "newest_id": newest.id,
            "oldest_created": oldest.created_at,
            "oldest_id": oldest.id,
        },
    )
    attempts: dict[uuid.UUID, list[AttemptOut]] = defaultdict(list)
    for delivery_id, *fields in rows:
        attempts[delivery_id].append(AttemptOut(*fields))
    for delivery in deliveries:
        delivery.attempts = attempts.get(delivery.id, [])
