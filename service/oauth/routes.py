"""The developer portal API, staff review, the OAuth token / revocation / introspection
endpoints, authorized apps, and the RFC 8414 metadata document."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.orm import Session

from service.accounts.models import User
from service.db.database import Database, database
from service.errors import NotFound, RateLimited
from service.http.auth import Account, needs, principal_of
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.http.ratelimit import RateLimiter
from service.oauth import apps, server
from service.oauth.models import OAuthApplication, OAuthAuthorization
from service.oauth.repositories import APP_LIST, REVIEW_LIST, authorized_apps_page
from service.oauth.schemas import (
    AppCreate,
    AppCreated,
    AppOut,
    AppPage,
    AppSecret,
    AppStatusName,
    AppUpdate,
    AuthorizedAppPage,
    ReviewIn,
    ReviewOut,
    ReviewPage,
)
from service.scopes import SCOPES
from service.settings import Settings
from service.web.forms import DuplicateField, read_form

__all__ = [
    "AuthorizedAppController",
    "DeveloperAppController",
    "OAuthEndpoints",
    "StaffAppController",
    "issuer_of",
    "metadata_document",
    "policy_of",
]

T = TypeVar("T")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_DEV: Account = "developer"


def issuer_of(request: Request[Any, Any, Any], settings: Settings) -> str:
    return settings.public_url or str(request.base_url).rstrip("/")


def policy_of(request: Request[Any, Any, Any], settings: Settings) -> server.OAuthPolicy:
    return server.OAuthPolicy(
        issuer=issuer_of(request, settings),
        code_seconds=settings.oauth_code_seconds,
        access_seconds=settings.oauth_access_token_seconds,
        refresh_seconds=settings.oauth_refresh_token_seconds,
        refresh_grace_seconds=settings.oauth_refresh_grace_seconds,
    )


def _render_row(row: Any) -> AppOut:
    return AppOut(*row)


class DeveloperAppController(Controller):
    path = "/developer/apps"
    tags = ["Developer portal"]

    @get("/", **needs("read:marketplace", _DEV), operation_id="listDeveloperApps", summary="List your apps")
    async def list_apps(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        status: Annotated[AppStatusName | None, QueryParameter(description="Only apps in this status.")] = None,
    ) -> AppPage:
        principal = principal_of(request)
        return await paginate(
            database(state),
            APP_LIST,
            principal.account_id,
            PageParams.of(limit, cursor),
            _render_row,
            AppPage,
            status=status,
        )

    @post(
        "/",
        **needs("write:marketplace", _DEV),
        operation_id="createDeveloperApp",
        status_code=201,
        summary="Register an app",
        description="A confidential client's `client_secret` is in this response only; Joist keeps its SHA-256.",
    )
    async def create_app(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[AppCreate]
    ) -> Response[AppCreated]:
        principal = principal_of(request)
        waitlist = state.settings.app_waitlist

        def work(session: Session) -> AppOut:
            app, secret = apps.create_app(session, principal.account_id, data, waitlist=waitlist)
            return apps.render_app(app, secret) if secret else _created(apps.render_app(app))

        created = await database(state).write(work)
        assert isinstance(created, AppCreated)
        return Response(
            created, status_code=201, headers={"Location": f"/api/v1/developer/apps/{created.id}", **_NO_STORE}
        )

    @get("/{app_id:uuid}", **needs("read:marketplace", _DEV), operation_id="getDeveloperApp", summary="Get an app")
    async def get_app(self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> AppOut:
        principal = principal_of(request)
        return await database(state).write(
            lambda session: apps.render_app(apps.get_app(session, principal.account_id, app_id))
        )

    @patch(
        "/{app_id:uuid}",
        **needs("write:marketplace", _DEV),
        operation_id="updateDeveloperApp",
        summary="Change an app (while a draft or when changes are requested)",
    )
    async def update_app(
        self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID], data: JSONBody[AppUpdate]
    ) -> AppOut:
        principal = principal_of(request)
        return await database(state).write(
            lambda session: apps.render_app(apps.update_app(session, principal.account_id, app_id, data))
        )

    @post(
        "/{app_id:uuid}/submit",
        **needs("write:marketplace", _DEV),
        operation_id="submitDeveloperApp",
        status_code=200,
        summary="Submit an app for review",
    )
    async def submit_app(self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> AppOut:
        principal = principal_of(request)
        return await database(state).write(
            lambda session: apps.render_app(apps.submit_app(session, principal.account_id, app_id))
        )

    @post(
        "/{app_id:uuid}/publish",
        **needs("write:marketplace", _DEV),
        operation_id="publishDeveloperApp",
        status_code=200,
        summary="Publish an approved app to the marketplace",
    )
    async def publish_app(self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> AppOut:
        principal = principal_of(request)
        return await database(state).write(
            lambda session: apps.render_app(apps.publish_app(session, principal.account_id, app_id))
        )

    @post(
        "/{app_id:uuid}/client-secret",
        **needs("write:marketplace", _DEV),
        operation_id="rotateClientSecret",
        status_code=200,
        summary="Replace a confidential client's secret",
        description="The new secret is in this response only; the old one stops working at once.",
    )
    async def rotate_secret(
        self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]
    ) -> Response[AppSecret]:
        principal = principal_of(request)
        secret = await database(state).write(lambda session: apps.rotate_secret(session, principal.account_id, app_id))
        return Response(secret, headers=_NO_STORE)

    @get(
        "/{app_id:uuid}/reviews",
        **needs("read:marketplace", _DEV),
        operation_id="listAppReviews",
        summary="The review decisions on an app, with their reasons, newest first",
    )
    async def list_reviews(
        self,
        request: Request[Any, Any, Any],
        state: State,
        app_id: FromPath[uuid.UUID],
        limit: Limit = 25,
        cursor: Cursor = None,
    ) -> ReviewPage:
        principal = principal_of(request)
        db = database(state)
        await db.write(lambda session: apps.get_app(session, principal.account_id, app_id))
        return await paginate(
            db, REVIEW_LIST, app_id, PageParams.of(limit, cursor), lambda r: ReviewOut(*r), ReviewPage
        )


def _created(out: AppOut) -> AppCreated:
    return AppCreated(**{f: getattr(out, f) for f in out.__struct_fields__}, client_secret=None)


class StaffAppController(Controller):
    path = "/staff/apps"
    tags = ["App review (staff)"]

    @get("/{app_id:uuid}", **needs("read:marketplace", "staff"), operation_id="staffGetApp", summary="Get any app")
    async def get_app(self, state: State, app_id: FromPath[uuid.UUID]) -> AppOut:
        def work(session: Session) -> AppOut:
            app = session.get(OAuthApplication, app_id)
            if app is None:
                raise NotFound(f"no app {app_id}")
            return apps.render_app(app)

        return await database(state).write(work)

    @post(
        "/{app_id:uuid}/review",
        **needs("write:marketplace", "staff"),
        operation_id="reviewApp",
        status_code=200,
        summary="Approve, request changes to, or reject a submitted app (or admit a waitlisted one)",
    )
    async def review(
        self, request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID], data: JSONBody[ReviewIn]
    ) -> AppOut:
        principal = principal_of(request)

        def work(session: Session) -> AppOut:
            app = session.get(OAuthApplication, app_id)
            if app is None:
                raise NotFound(f"no app {app_id}")
            reviewer = session.get(User, principal.account_id)
            return apps.render_app(apps.review_app(session, app, data.decision, data.reason, reviewer))

        return await database(state).write(work)


class AuthorizedAppController(Controller):
    path = "/oauth/authorized-apps"
    tags = ["OAuth"]

    @get(
        "/",
        **needs("read:oauth"),
        operation_id="listAuthorizedApps",
        summary="The apps the builder has authorized, with their scopes and dates",
    )
    async def list_authorized(
        self, request: Request[Any, Any, Any], state: State, limit: Limit = 25, cursor: Cursor = None
    ) -> AuthorizedAppPage:
        principal = principal_of(request)
        page = PageParams.of(limit, cursor)
        return await database(state).write(lambda session: authorized_apps_page(session, principal.builder_id, page))

    @delete(
        "/{authorization_id:uuid}",
        **needs("write:oauth"),
        operation_id="revokeAuthorizedApp",
        status_code=204,
        summary="Withdraw an app's authorization",
        description="Every token the app holds for this builder stops working at once.",
    )
    async def revoke_authorized(
        self, request: Request[Any, Any, Any], state: State, authorization_id: FromPath[uuid.UUID]
    ) -> None:
        principal = principal_of(request)

        def work(session: Session) -> None:
            row = session.get(OAuthAuthorization, authorization_id)
            if row is None or row.builder_id != principal.builder_id or row.revoked_at is not None:
                raise NotFound(f"no authorized app {authorization_id}")
            server.revoke_authorization(session, row)

        await database(state).write(work)


_SQLITE_WRITER = threading.Lock()


async def _serialised_write(db: Database, fn: Callable[[Session], T]) -> T:
    """On SQLite, token-endpoint writes take turns in process instead of meeting SQLite's busy
    handler, whose back-off sleeps (up to 100 ms each) made the latency tail."""
    if not db.is_sqlite:
        return await db.write(fn)

    def locked() -> T:
        with _SQLITE_WRITER:
            return db.write_sync(fn)

    return await anyio.to_thread.run_sync(locked)


def _oauth_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        msgspec.json.encode(body),
        status_code=status,
        media_type="application/json",
        headers={**_NO_STORE, **(headers or {})},
    )


def _error_response(request: Request[Any, Any, Any], err: server.OAuthError) -> Response[bytes]:
    """RFC 6749 §5.2 (``error``, ``error_description``) with RFC 9457's fields alongside, so both
    OAuth client libraries and our problem-details readers understand it."""
    from service.http.request_id import request_id

    body = {
        **err.body(),
        "type": f"urn:joist:problem:oauth-{err.error.replace('_', '-')}",
        "title": "OAuth request refused",
        "status": err.status,
        "detail": err.description,
        "request_id": request_id(request.scope),
    }
    return _oauth_response(body, err.status, err.headers)


async def _client_form(
    request: Request[Any, Any, Any], limiter: RateLimiter, limit: int
) -> dict[str, str] | Response[bytes]:
    try:
        form = await read_form(request)
    except DuplicateField as exc:
        return _error_response(request, server.OAuthError("invalid_request", exc.detail))
    except Exception as exc:  # not a form at all
        detail = getattr(exc, "detail", "send the parameters as application/x-www-form-urlencoded")
        return _error_response(request, server.OAuthError("invalid_request", detail))
    client = server.claimed_client_id(form, request.headers.get("authorization")) or "-"
    try:
        await limiter.hit(f"oauth-token:{client}", limit)
    except RateLimited as exc:
        err = server.OAuthError("slow_down", exc.detail, 429, exc.headers)
        return _error_response(request, err)
    return form


class OAuthEndpoints(Controller):
    """Token, revocation and introspection: clients authenticate with ``client_secret_basic`` or
    ``client_secret_post`` (public clients send ``client_id``); not bearer-authenticated."""

    path = "/oauth"
    include_in_schema = False

    @post("/token", status_code=200)
    async def token(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        settings: Settings = state.settings
        form = await _client_form(request, state.limiter, settings.oauth_token_rate_limit)
        if isinstance(form, Response):
            return form
        policy = policy_of(request, settings)
        auth = request.headers.get("authorization")
        result = await _serialised_write(database(state), lambda session: server.token(session, form, auth, policy))
        if isinstance(result, server.OAuthError):
            return _error_response(request, result)
        return _oauth_response(result)

    @post("/revoke", status_code=200)
    async def revoke(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        form = await _client_form(request, state.limiter, state.settings.oauth_token_rate_limit)
        if isinstance(form, Response):
            return form
        auth = request.headers.get("authorization")
        result = await database(state).write(lambda session: server.revoke(session, form, auth))
        if isinstance(result, server.OAuthError):
            return _error_response(request, result)
        return _oauth_response({})

    @post("/introspect", status_code=200)
    async def introspect(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        settings: Settings = state.settings
        form = await _client_form(request, state.limiter, settings.oauth_token_rate_limit)
        if isinstance(form, Response):
            return form
        policy = policy_of(request, settings)
        auth = request.headers.get("authorization")
        result = await database(state).write(lambda session: server.introspect(session, form, auth, policy))
        if isinstance(result, server.OAuthError):
            return _error_response(request, result)
        return _oauth_response(result)


@get("/.well-known/oauth-authorization-server", include_in_schema=False)
async def metadata_document(request: Request[Any, Any, Any], state: State) -> dict[str, Any]:
    """RFC 8414 authorization server metadata."""
    issuer = issuer_of(request, state.settings)
    client_auth = ["client_secret_basic", "client_secret_post", "none"]
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/api/v1/oauth/authorize",
        "token_endpoint": f"{issuer}/api/v1/oauth/token",
        "revocation_endpoint": f"{issuer}/api/v1/oauth/revoke",
        "introspection_endpoint": f"{issuer}/api/v1/oauth/introspect",
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": client_auth,
        "revocation_endpoint_auth_methods_supported": client_auth,
        "introspection_endpoint_auth_methods_supported": client_auth,
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": f"{issuer}/api/docs",
    }
