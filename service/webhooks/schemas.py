from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from service.http.pagination import Page

__all__ = [
    "AttemptOut",
    "DeliveryOut",
    "DeliveryPage",
    "EventTypeList",
    "EventTypeOut",
    "RecoverIn",
    "RecoverOut",
    "RotateSecretIn",
    "RotatedSecret",
    "WebhookCreated",
    "WebhookIn",
    "WebhookOut",
    "WebhookPage",
]

DeliveryState = Literal["pending", "delivering", "succeeded", "failed"]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, description="https URL of your receiver.")]
Selector = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        description="An event type (invoice.approved), a category (invoice.*) or * for every type.",
    ),
]


class WebhookIn(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    event_types: Annotated[list[Selector], msgspec.Meta(min_length=1, max_length=100)]
    description: Annotated[str, msgspec.Meta(max_length=500)] | None = None


class WebhookOut(msgspec.Struct):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    app_id: Annotated[
        uuid.UUID | None,
        msgspec.Meta(
            description="The OAuth app that made this webhook for the builder; null when the builder's own key did. "
            "An app sees only its own webhooks, and they end when the builder withdraws the app."
        ),
    ]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    consecutive_failures: Annotated[
        int, msgspec.Meta(description="Deliveries in a row that exhausted their retries; 5 disable the endpoint.")
    ]
    previous_secret_expires_at: Annotated[
        datetime | None,
        msgspec.Meta(description="While set, deliveries carry a signature with the previous secret as well."),
    ]
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: Annotated[str, msgspec.Meta(description="The signing secret (whsec_…). Shown only once.")]


class WebhookPage(Page[WebhookOut]):
    data: list[WebhookOut]  # named again: OpenAPI documents the items


class RotateSecretIn(msgspec.Struct, forbid_unknown_fields=True):
    overlap_seconds: Annotated[
        int,
        msgspec.Meta(
            ge=0,
            le=7 * 86400,
            description="How long deliveries stay signed with the old secret too (default one day).",
        ),
    ] = 86400


class RotatedSecret(msgspec.Struct):
    secret: Annotated[str, msgspec.Meta(description="The new signing secret (whsec_…). Shown only once.")]
    previous_secret_expires_at: datetime | None


class AttemptOut(msgspec.Struct):
    number: int
    started_at: datetime
    duration_ms: int
    url: str
    request_headers: dict[str, Any]
    status: int | None
    response_headers: dict[str, Any] | None
    response_body: Annotated[str | None, msgspec.Meta(description="The first 20 kB of the receiver's answer.")]
    error: str | None


class DeliveryOut(msgspec.Struct):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    state: DeliveryState
    attempt_count: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    replay_of: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    attempts: list[AttemptOut] = msgspec.field(default_factory=list)


class DeliveryPage(Page[DeliveryOut]):
    data: list[DeliveryOut]  # named again: OpenAPI documents the items


class RecoverIn(msgspec.Struct, forbid_unknown_fields=True):
    since: Annotated[datetime, msgspec.Meta(description="Re-send events from this RFC 3339 time…")]
    until: Annotated[datetime | None, msgspec.Meta(description="…up to this one (default: now).")] = None


class RecoverOut(msgspec.Struct):
    requeued: Annotated[int, msgspec.Meta(description="Failed deliveries queued again.")]
    created: Annotated[int, msgspec.Meta(description="Deliveries made for events this endpoint never got.")]


class EventTypeOut(msgspec.Struct):
    type: str
    category: str
    description: str
    scope: Annotated[
        str,
        msgspec.Meta(
            description="The scope a credential needs to select this type (or read:events): the data it reads."
        ),
    ]
    schema: Annotated[dict[str, Any], msgspec.Meta(description="JSON Schema of the event's data object.")]
    example: Annotated[dict[str, Any], msgspec.Meta(description="A complete example body, as delivered.")]


class EventTypeList(msgspec.Struct):
    data: list[EventTypeOut]
