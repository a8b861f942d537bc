from __future__ import annotations

from sqlalchemy import bindparam, select, tuple_

from service.http.pagination import ListQuery
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ATTEMPTS_OF_PAGE",
    "DELIVERY_LIST",
    "ONE_APP_SUBSCRIPTION",
    "ONE_DELIVERY",
    "ONE_SUBSCRIPTION",
    "SUBSCRIPTION_COLUMNS",
    "SUBSCRIPTION_LIST",
]

SUBS = WebhookSubscription.__table__.c
DELIVERIES = WebhookDelivery.__table__.c
ATTEMPTS = WebhookAttempt.__table__.c

# In WebhookOut's field order: rows render by position.
SUBSCRIPTION_COLUMNS = (
    SUBS.id,
    SUBS.url,
    SUBS.description,
    SUBS.event_types,
    SUBS.app_id,
    SUBS.enabled,
    SUBS.disabled_reason,
    SUBS.disabled_at,
    SUBS.consecutive_failures,
    SUBS.previous_secret_expires_at,
    SUBS.version,
    SUBS.created_at,
    SUBS.updated_at,
)
SUBSCRIPTION_LIST = ListQuery(
    SUBSCRIPTION_COLUMNS,
    tenant=SUBS.builder_id,
    created_at=SUBS.created_at,
    ident=SUBS.id,
    filters={"enabled": SUBS.enabled == bindparam("enabled"), "app_id": SUBS.app_id == bindparam("app_id")},
)
ONE_SUBSCRIPTION = select(*SUBSCRIPTION_COLUMNS).where(
    SUBS.builder_id == bindparam("builder_id"), SUBS.id == bindparam("subscription_id")
)
# What an OAuth app sees: only the subscriptions it made for the builder.
ONE_APP_SUBSCRIPTION = ONE_SUBSCRIPTION.where(SUBS.app_id == bindparam("app_id"))

# In DeliveryOut's field order, attempts excepted (filled from ATTEMPTS_OF_PAGE).
DELIVERY_COLUMNS = (
    DELIVERIES.id,
    DELIVERIES.event_id,
    DELIVERIES.event_type,
    DELIVERIES.state,
    DELIVERIES.attempt_count,
    DELIVERIES.next_attempt_at,
    DELIVERIES.last_status,
    DELIVERIES.last_error,
    DELIVERIES.replay_of,
    DELIVERIES.created_at,
    DELIVERIES.updated_at,
)
DELIVERY_LIST = ListQuery(
    DELIVERY_COLUMNS,
    tenant=DELIVERIES.subscription_id,
    created_at=DELIVERIES.created_at,
    ident=DELIVERIES.id,
    filters={
        "state": DELIVERIES.state == bindparam("state"),
        "event_type": DELIVERIES.event_type == bindparam("event_type"),
        "event_id": DELIVERIES.event_id == bindparam("event_id"),
    },
)
ONE_DELIVERY = select(*DELIVERY_COLUMNS).where(
    DELIVERIES.subscription_id == bindparam("subscription_id"), DELIVERIES.id == bindparam("delivery_id")
)
# The attempts of every delivery in one page: the page is a (created_at, id) range of one
# subscription's deliveries, newest first, so one range query finds them all.
ATTEMPTS_OF_PAGE = (
    select(
        ATTEMPTS.delivery_id,
        ATTEMPTS.number,
        ATTEMPTS.started_at,
        ATTEMPTS.duration_ms,
        ATTEMPTS.url,
        ATTEMPTS.request_headers,
        ATTEMPTS.status,
        ATTEMPTS.response_headers,
        ATTEMPTS.response_body,
        ATTEMPTS.error,
    )
    .join(WebhookDelivery.__table__, DELIVERIES.id == ATTEMPTS.delivery_id)
    .where(
        DELIVERIES.subscription_id == bindparam("subscription_id"),
        tuple_(DELIVERIES.created_at, DELIVERIES.id)
        <= tuple_(
            bindparam("newest_created", type_=DELIVERIES.created_at.type),
            bindparam("newest_id", type_=DELIVERIES.id.type),
        ),
        tuple_(DELIVERIES.created_at, DELIVERIES.id)
        >= tuple_(
            bindparam("oldest_created", type_=DELIVERIES.created_at.type),
            bindparam("oldest_id", type_=DELIVERIES.id.type),
        ),
    )
    .order_by(ATTEMPTS.delivery_id, ATTEMPTS.number.desc())
)
