"""The Litestar application: every route of the public API behind the shared conventions."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, OAuthFlow, OAuthFlows, SecurityScheme, Server
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.api_keys.routes import ApiKeyController
from service.api_keys.services import REVOKED_KEYS
from service.budgets.routes import BudgetController
from service.catalog.routes import CatalogController, CostDataController
from service.catalog.services import snapshots_kept_warm
from service.change_orders.routes import ChangeOrderController
from service.crypto import Sealer
from service.db.database import Database
from service.db.engine import make_engine
from service.deals.routes import DealController
from service.deals.services import EligibleDeals
from service.documents.routes import DocumentController
from service.events.routes import EventController
from service.feeds.landing import Landing
from service.feeds.routes import FeedSubmissionController, PushController
from service.http.auth import Authenticator, AuthMiddleware
from service.http.docs import docs_router
from service.http.head import AnswerHead, drop_head_body
from service.http.headers import add_response_headers
from service.http.idempotency import IdempotencyMiddleware, IdempotencyStore, purge_expired_records
from service.http.openapi import openapi_json
from service.http.problems import exception_handlers, schema_router_problems
from service.http.query import check_request, index_query_params
from service.http.ratelimit import RateLimiter
from service.invoices.routes import InvoiceController
from service.oauth.credentials import CredentialResolver
from service.oauth.routes import (
    AuthorizedAppController,
    DeveloperAppController,
    OAuthEndpoints,
    StaffAppController,
    metadata_document,
)
from service.oauth.scope_words import describe
from service.orgs.routes import OrgApiKeyController
from service.outbound import OutboundPolicy
from service.projects.routes import ProjectController
from service.schedules.routes import ScheduleController
from service.scopes import APP_SCOPES
from service.settings import Settings
from service.vendors.routes import VendorController
from service.web.pages import web_router
from service.webhooks.routes import WebhookController
from service.webhooks.services import SECRET_PURPOSE
from warehouse.catalog import CatalogReader

__all__ = ["API_V1_ROUTES", "create_app"]

API_V1_ROUTES: list[Any] = [
    ApiKeyController,
    OrgApiKeyController,
    ProjectController,
    BudgetController,
    ScheduleController,
    InvoiceController,
    ChangeOrderController,
    VendorController,
    DocumentController,
    EventController,
    WebhookController,
    PushController,
    FeedSubmissionController,
    CatalogController,
    CostDataController,
    DealController,
    DeveloperAppController,
    StaffAppController,
    AuthorizedAppController,
    OAuthEndpoints,
]

_DESCRIPTION = """The public API of Joist, the construction platform's integration marketplace.

Authenticate with `Authorization: Bearer <key>` (an API key such as `jst_live_…`, or an OAuth
access token). Errors are RFC 9457 problem details; lists are cursor-paginated; `POST` accepts
`Idempotency-Key`; every `GET` also answers `HEAD` (the same status and headers, no body). Each
credential is rate-limited per minute by the builder's plan and every authenticated response
carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`."""


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/", include_in_schema=False, sync_to_thread=False)
def api_index() -> dict[str, str]:
    """``/api/v1``: where to read about it (no credential needed; it says nothing else)."""
    return {
        "name": "Joist API",
        "version": "v1",
        "openapi": "/api/v1/openapi.json",
        "console": "/api/docs",
        "oauth_metadata": "/.well-known/oauth-authorization-server",
    }


def create_app(settings: Settings | None = None, *, extra_routers: list[Router] | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    db = Database(make_engine(settings.database_url))
    sessions = db.sessions
    limiter = RateLimiter(settings.redis_url)
    authenticator = Authenticator(
        db,
        timedelta(seconds=settings.last_used_resolution_seconds),
        cache_seconds=settings.auth_cache_seconds,
        resolvers=CredentialResolver(db).prefixes,  # OAuth access tokens, developer and staff keys
    )

    @event.listens_for(sessions, "after_commit")
    def _forget_revoked(session: Session) -> None:
        if revoked := session.info.pop(REVOKED_KEYS, None):
            authenticator.forget(revoked)

    # One reader per process: it keeps the warm read-only connections to the published snapshots.
    catalog_reader = CatalogReader(settings.data_dir, switch_in_background=True)
    landing = Landing(settings.data_dir)

    idempotency = IdempotencyStore(
        sessions, timedelta(seconds=settings.idempotency_ttl_seconds), Sealer(settings.secret_key, "idempotency")
    )

    # Each protected route names its scope in its own security requirement (see needs()).
    api_v1 = Router(path="/api/v1", route_handlers=[*API_V1_ROUTES, openapi_json, api_index])
    openapi = OpenAPIConfig(
        title="Joist API",
        version="1.0.0",
        description=_DESCRIPTION,
        # Litestar's own schema router lives off the public tree (its catch-all would shadow
        # unknown /api/v1 paths); /api/v1/openapi.json is served, completed, by openapi_json.
        path="/api/_schema",
        openapi_router=Router(
            path="/api/_schema", route_handlers=[], after_request=schema_router_problems, include_in_schema=False
        ),
        render_plugins=[JsonRenderPlugin()],
        servers=[Server(url="/", description="this Joist instance")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An API key (jst_live_…) or an OAuth access token.",
                ),
                "oauth2": SecurityScheme(
                    type="oauth2",
                    description="An app acting for a builder: the authorization code flow with PKCE (S256, "
                    "required for every client); tokens are sent as `Authorization: Bearer jst_at_…`. "
                    "Server metadata: /.well-known/oauth-authorization-server (RFC 8414).",
                    flows=OAuthFlows(
                        authorization_code=OAuthFlow(
                            authorization_url="/api/v1/oauth/authorize",
                            token_url="/api/v1/oauth/token",  # noqa: S106 (a URL, not a secret)
                            refresh_url="/api/v1/oauth/token",
                            scopes={scope: describe(scope) for scope in sorted(APP_SCOPES)},
                        )
                    ),
                ),
            }
        ),
        use_handler_docstrings=False,
    )

    return Litestar(
        route_handlers=[
            api_v1,
            healthz,
            docs_router(settings.swagger_ui_dir),
            web_router(),
            metadata_document,
            *(extra_routers or []),
        ],
        middleware=[
            DefineMiddleware(AuthMiddleware, authenticator=authenticator, limiter=limiter),
            DefineMiddleware(
                IdempotencyMiddleware,
                store=idempotency,
                max_body_bytes=settings.max_body_bytes,
                max_stream_bytes=settings.max_feed_bytes,
            ),
        ],
        exception_handlers=exception_handlers,
        before_send=[add_response_headers, drop_head_body],
        plugins=[AnswerHead()],
        before_request=check_request,
        on_startup=[db.open, index_query_params, landing.sweep_incoming],
        lifespan=[lambda _app: purge_expired_records(idempotency), lambda _app: snapshots_kept_warm(catalog_reader)],
        on_shutdown=[limiter.close, db.close],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi,
        state=State(
            {
                "settings": settings,
                "db": db,
                "limiter": limiter,
                "authenticator": authenticator,
                "outbound": OutboundPolicy(settings.outbound_allow),
                "webhook_sealer": Sealer(settings.secret_key, SECRET_PURPOSE),
                "catalog_reader": catalog_reader,
                "eligible_deals": EligibleDeals(settings.deals_cache_seconds),
            }
        ),
        logging_config=None,
        debug=False,
    )


logging.getLogger("joist").setLevel(logging.INFO)
