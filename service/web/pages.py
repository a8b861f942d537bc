"""The web pages: sign-in and sign-out, the OAuth consent screen, a builder's authorized apps,
the developer portal and staff review. Server-rendered HTML forms, usable without JavaScript;
every POST checks a CSRF token before it does anything."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.accounts.models import Builder, User
from service.accounts.services import verify_login
from service.db.database import Database, database
from service.errors import JoistError, NotFound, RateLimited
from service.oauth import apps, server
from service.oauth.models import AppStatus, OAuthApplication, OAuthAuthorization
from service.oauth.repositories import authorized_apps_page
from service.oauth.routes import issuer_of, policy_of
from service.oauth.schemas import AppCreate, AppUpdate
from service.oauth.scope_words import describe
from service.web.forms import read_form
from service.web.render import CSS, page
from service.web.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    WebUser,
    check_csrf,
    csrf_token,
    current_user,
    end_session,
    set_cookie,
    start_session,
)

__all__ = ["web_router"]

Query = Annotated[str | None, QueryParameter(required=False)]
_HOME = {"builder": "/account/authorized-apps", "developer": "/developer/apps", "staff": "/staff/apps"}
_LOGIN_ATTEMPTS_PER_MINUTE = 20


def _see_other(location: str) -> Response[bytes]:
    return Response(b"", status_code=303, headers={"Location": location, "Cache-Control": "no-store"})


def safe_next(value: str | None) -> str | None:
    """Only a path on this site: ``/x``, never ``//host``, ``/\\host`` or an absolute URL."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    if any(ord(c) < 0x21 or c in "\\\x7f" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def _secret(state: State) -> str:
    key: str = state.settings.secret_key
    return key


def _error(title: str, detail: str, status: int = 400, user: WebUser | None = None, csrf: str = "") -> Response[str]:
    return page("error.html", status=status, title=title, detail=detail, user=user, csrf=csrf)


async def _signed_in(request: Request[Any, Any, Any], state: State, kind: str) -> tuple[WebUser, str] | Response[Any]:
    """The signed-in user of this kind and their CSRF token; else a redirect to sign in."""
    user = await current_user(request, database(state))
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _see_other(f"/login?next={quote(target, safe='')}")
    csrf = csrf_token(_secret(state), user.token)
    if user.kind != kind:
        return _error(
            "Not available", f"This page is for {kind} accounts; you are signed in as a {user.kind}.", 403, user, csrf
        )
    return user, csrf


async def _checked_post(
    request: Request[Any, Any, Any], state: State, kind: str
) -> tuple[WebUser, str, dict[str, str]] | Response[Any]:
    who = await _signed_in(request, state, kind)
    if isinstance(who, Response):
        return who
    user, csrf = who
    try:
        form = await read_form(request)
    except JoistError as exc:
        return _error("Bad form", exc.detail, 400, user, csrf)
    if not check_csrf(_secret(state), user, form.get("csrf_token")):
        return _error(
            "Form expired", "This form is missing its security token; go back, reload and try again.", 403, user, csrf
        )
    return user, csrf, form


# -- assets, sign-in, sign-out ------------------------------------------------------------------


@get("/assets/joist.css", media_type="text/css", cache_control=None)
async def stylesheet() -> Response[str]:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@get("/login")
async def login_form(
    request: Request[Any, Any, Any], state: State, next_: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response[Any]:
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) != 43:
        token = secrets.token_urlsafe(32)
    response = page("login.html", csrf=token, next=safe_next(next_), user=None)
    set_cookie(response, request, CSRF_COOKIE, token, 3600)
    return response


@post("/login", status_code=200)
async def login(
    request: Request[Any, Any, Any], state: State, next_: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response[Any]:
    target = safe_next(next_)
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    try:
        form = await read_form(request)
    except JoistError as exc:
        return _error("Bad form", exc.detail)
    if not cookie or not secrets.compare_digest(cookie, form.get("csrf_token", "")):
        return _error("Form expired", "The sign-in form is missing its security token; reload it and try again.", 403)
    email = form.get("email", "").strip().lower()[:320]
    password = form.get("password", "")[:1024]
    try:
        await state.limiter.hit(f"login:{email}", _LOGIN_ATTEMPTS_PER_MINUTE)
    except RateLimited:
        return _error(
            "Too many attempts", "Too many sign-in attempts for this account; wait a minute and try again.", 429
        )

    def work(session: Session) -> tuple[str, str] | None:
        user = verify_login(session, email, password)
        if user is None:
            return None
        return start_session(session, user.id), user.kind

    result = await database(state).write(work)
    if result is None:
        return page(
            "login.html", status=400, csrf=cookie, next=target, email=email, error="Wrong email or password.", user=None
        )
    token, kind = result
    response = _see_other(target or _HOME.get(kind, "/login"))
    set_cookie(response, request, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@post("/logout", status_code=303)
async def logout(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    user = await current_user(request, database(state))
    if user is not None:
        try:
            form = await read_form(request)
        except JoistError:
            form = {}
        if not check_csrf(_secret(state), user, form.get("csrf_token")):
            return _error("Form expired", "Reload the page and sign out again.", 403)
        await database(state).write(lambda session: end_session(session, user.token))
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- consent ------------------------------------------------------------------------------------

_AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


@get("/api/v1/oauth/authorize")
async def authorize_page(
    request: Request[Any, Any, Any],
    state: State,
    response_type: Query = None,
    client_id: Query = None,
    redirect_uri: Query = None,
    scope_: Annotated[str | None, QueryParameter(name="scope")] = None,
    state_: Annotated[str | None, QueryParameter(name="state")] = None,
    code_challenge: Query = None,
    code_challenge_method: Query = None,
) -> Response[Any]:
    params: dict[str, str | None] = {
        "response_type": response_type,
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope_,
        "state": state_,
        "code_challenge": code_challenge,
        "code_challenge_method": code_challenge_method,
    }
    return await _authorize(request, state, params, None)


@post("/api/v1/oauth/authorize", status_code=303)
async def authorize_decision(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    try:
        form = await read_form(request)
    except JoistError as exc:
        return _error("Bad request", exc.detail)
    params: dict[str, str | None] = {name: form.get(name) for name in _AUTHORIZE_PARAMS}
    return await _authorize(request, state, params, form)


async def _authorize(  # noqa: PLR0911  (each outcome of an authorization request is a page or a redirect)
    request: Request[Any, Any, Any], state: State, params: dict[str, str | None], form: dict[str, str] | None
) -> Response[Any]:
    db: Database = database(state)
    settings = state.settings
    issuer = issuer_of(request, settings)
    user = await current_user(request, db)
    csrf = csrf_token(_secret(state), user.token) if user else ""

    def check(session: Session) -> tuple[server.AuthorizeRequest, str]:
        checked = server.check_authorize(session, params)
        builder = session.get(Builder, user.builder_id) if user and user.builder_id else None
        return checked, builder.name if builder else ""

    try:
        checked, builder_name = await db.write(check)
    except server.ErrorPage as exc:
        return _error(exc.title, exc.detail, exc.status, user, csrf)
    except server.AuthorizeError as exc:
        return _see_other(server.authorized_redirect(exc, issuer))
    if user is None:
        if form is not None:
            return _error("Signed out", "Your session ended; start again from the application.", 401)
        target = request.url.path + "?" + request.url.query
        return _see_other(f"/login?next={quote(target, safe='')}")
    if user.kind != "builder" or user.builder_id is None:
        return _error(
            "Builder account needed",
            "Only a builder's user can authorize an app to act for a builder.",
            403,
            user,
            csrf,
        )
    if form is None:
        return page(
            "consent.html",
            redirect_to=checked.redirect_uri,
            req=checked,
            fields=checked.hidden_fields(),
            scopes=[{"name": s, "words": describe(s)} for s in checked.scopes],
            builder_name=builder_name,
            user=user,
            csrf=csrf,
        )
    if not check_csrf(_secret(state), user, form.get("csrf_token")):
        return _error(
            "Form expired",
            "The consent form is missing its security token; start again from the application.",
            403,
            user,
            csrf,
        )
    decision = form.get("decision")
    if decision == "deny":
        denied = server.AuthorizeError(
            checked.redirect_uri, checked.state, "access_denied", "the builder user declined"
        )
        return _see_other(server.authorized_redirect(denied, issuer))
    if decision != "approve":
        return _error("Bad request", "Choose Allow or Deny.", 400, user, csrf)
    policy = policy_of(request, settings)
    builder_id = user.builder_id

    def consent(session: Session) -> str:
        return server.issue_code(session, checked, builder_id=builder_id, user_id=user.id, policy=policy)

    try:
        code = await db.write(consent)
    except IntegrityError:  # two first consents for one builder and app at once: the second finds the first's row
        code = await db.write(consent)
    answer = {"code": code}
    if checked.state is not None:
        answer["state"] = checked.state
    answer["iss"] = issuer
    return _see_other(server.redirect_with(checked.redirect_uri, answer))


# -- a builder's authorized apps ---------------------------------------------------------------


@get("/account/authorized-apps")
async def authorized_apps(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    who = await _signed_in(request, state, "builder")
    if isinstance(who, Response):
        return who
    user, csrf = who
    return await _authorized_apps_page(state, user, csrf)


async def _authorized_apps_page(state: State, user: WebUser, csrf: str, notice: str | None = None) -> Response[Any]:
    from service.http.pagination import PageParams

    builder_id = user.builder_id
    assert builder_id is not None

    def work(session: Session) -> tuple[Any, str]:
        listing = authorized_apps_page(session, builder_id, PageParams(limit=100, after=None))
        return listing.data, session.get_one(Builder, builder_id).name

    listed, builder_name = await database(state).write(work)
    return page(
        "authorized_apps.html",
        apps=listed,
        builder_name=builder_name,
        can_manage=user.can_manage_apps,
        notice=notice,
        user=user,
        csrf=csrf,
    )


@post("/account/authorized-apps/{authorization_id:uuid}/revoke", status_code=303)
async def revoke_authorized_app(
    request: Request[Any, Any, Any], state: State, authorization_id: FromPath[uuid.UUID]
) -> Response[Any]:
    checked = await _checked_post(request, state, "builder")
    if isinstance(checked, Response):
        return checked
    user, csrf, _ = checked
    if not user.can_manage_apps:
        return _error("Not allowed", "Only the builder's owners and admins can revoke apps.", 403, user, csrf)

    def work(session: Session) -> bool:
        row = session.get(OAuthAuthorization, authorization_id)
        if row is None or row.builder_id != user.builder_id or row.revoked_at is not None:
            return False
        server.revoke_authorization(session, row)
        return True

    if not await database(state).write(work):
        return _error("Not found", "No such authorized app.", 404, user, csrf)
    return _see_other("/account/authorized-apps")


# -- the developer portal ----------------------------------------------------------------------


def _form_values(app: OAuthApplication | None) -> dict[str, str]:
    if app is None:
        return {}
    return {
        "name": app.name,
        "description": app.description,
        "redirect_uris": "\n".join(app.redirect_uris),
        "scopes": " ".join(app.scopes),
        "homepage_url": app.homepage_url or "",
        "logo_url": app.logo_url or "",
    }


def _fields_from(form: dict[str, str], *, creating: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "description": form.get("description", ""),
        "redirect_uris": [u.strip() for u in form.get("redirect_uris", "").splitlines() if u.strip()],
        "scopes": [s for s in form.get("scopes", "").replace(",", " ").split() if s],
        "homepage_url": form.get("homepage_url", "").strip() or None,
        "logo_url": form.get("logo_url", "").strip() or None,
    }
    if creating:
        data["client_type"] = form.get("client_type", "confidential")
    return data


@get("/developer/apps")
async def developer_apps(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    who = await _signed_in(request, state, "developer")
    if isinstance(who, Response):
        return who
    user, csrf = who

    def work(session: Session) -> list[OAuthApplication]:
        stmt = (
            select(OAuthApplication)
            .where(OAuthApplication.developer_id == user.id)
            .order_by(OAuthApplication.created_at.desc())
            .limit(200)
        )
        return list(session.scalars(stmt))

    return page("developer_apps.html", apps=await database(state).write(work), user=user, csrf=csrf)


@get("/developer/apps/new")
async def new_app_form(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    who = await _signed_in(request, state, "developer")
    if isinstance(who, Response):
        return who
    user, csrf = who
    return page("developer_app_form.html", app=None, values={}, user=user, csrf=csrf)


@post("/developer/apps/new", status_code=200)
async def create_app(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    checked = await _checked_post(request, state, "developer")
    if isinstance(checked, Response):
        return checked
    user, csrf, form = checked
    waitlist = state.settings.app_waitlist

    def work(session: Session) -> tuple[OAuthApplication, str | None, list[Any]]:
        data = msgspec.convert(_fields_from(form, creating=True), AppCreate)
        app, secret = apps.create_app(session, user.id, data, waitlist=waitlist)
        return app, secret, []

    try:
        app, secret, reviews = await database(state).write(work)
    except (JoistError, msgspec.ValidationError) as exc:
        detail = exc.detail if isinstance(exc, JoistError) else str(exc)
        values = {**form, "csrf_token": ""}
        return page("developer_app_form.html", status=400, app=None, values=values, error=detail, user=user, csrf=csrf)
    return page("developer_app.html", status=201, app=app, secret=secret, reviews=reviews, user=user, csrf=csrf)


async def _load_app(state: State, user: WebUser, app_id: uuid.UUID) -> tuple[OAuthApplication, list[Any]] | None:
    def work(session: Session) -> tuple[OAuthApplication, list[Any]] | None:
        try:
            app = apps.get_app(session, user.id, app_id)
        except JoistError:
            return None
        return app, apps.reviews_of(session, app)

    return await database(state).write(work)


@get("/developer/apps/{app_id:uuid}")
async def developer_app(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    who = await _signed_in(request, state, "developer")
    if isinstance(who, Response):
        return who
    user, csrf = who
    loaded = await _load_app(state, user, app_id)
    if loaded is None:
        return _error("Not found", "No such app.", 404, user, csrf)
    app, reviews = loaded
    return page("developer_app.html", app=app, reviews=reviews, secret=None, user=user, csrf=csrf)


@get("/developer/apps/{app_id:uuid}/edit")
async def edit_app_form(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    who = await _signed_in(request, state, "developer")
    if isinstance(who, Response):
        return who
    user, csrf = who
    loaded = await _load_app(state, user, app_id)
    if loaded is None:
        return _error("Not found", "No such app.", 404, user, csrf)
    return page("developer_app_form.html", app=loaded[0], values=_form_values(loaded[0]), user=user, csrf=csrf)


async def _app_action(request: Request[Any, Any, Any], state: State, app_id: uuid.UUID, action: str) -> Response[Any]:
    checked = await _checked_post(request, state, "developer")
    if isinstance(checked, Response):
        return checked
    user, csrf, form = checked

    def work(session: Session) -> str | None:
        if action == "edit":
            apps.update_app(session, user.id, app_id, msgspec.convert(_fields_from(form, creating=False), AppUpdate))
        elif action == "submit":
            apps.submit_app(session, user.id, app_id)
        else:
            return apps.rotate_secret(session, user.id, app_id).client_secret
        return None

    try:
        secret = await database(state).write(work)
    except (JoistError, msgspec.ValidationError) as exc:
        detail = exc.detail if isinstance(exc, JoistError) else str(exc)
        loaded = await _load_app(state, user, app_id)
        if loaded is None:
            return _error("Not found", "No such app.", 404, user, csrf)
        if action == "edit":
            return page(
                "developer_app_form.html", status=400, app=loaded[0], values=form, error=detail, user=user, csrf=csrf
            )
        return page(
            "developer_app.html", status=409, app=loaded[0], reviews=loaded[1], error=detail, user=user, csrf=csrf
        )
    if secret is None:
        return _see_other(f"/developer/apps/{app_id}")
    loaded = await _load_app(state, user, app_id)
    assert loaded is not None
    return page("developer_app.html", app=loaded[0], reviews=loaded[1], secret=secret, user=user, csrf=csrf)


@post("/developer/apps/{app_id:uuid}/edit", status_code=303)
async def edit_app(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _app_action(request, state, app_id, "edit")


@post("/developer/apps/{app_id:uuid}/submit", status_code=303)
async def submit_app(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _app_action(request, state, app_id, "submit")


@post("/developer/apps/{app_id:uuid}/client-secret", status_code=200)
async def rotate_secret(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    return await _app_action(request, state, app_id, "rotate")


# -- staff review ------------------------------------------------------------------------------


@get("/staff/apps")
async def staff_apps(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    who = await _signed_in(request, state, "staff")
    if isinstance(who, Response):
        return who
    user, csrf = who
    return await _staff_page(state, user, csrf)


async def _staff_page(
    state: State, user: WebUser, csrf: str, error: str | None = None, status: int = 200
) -> Response[Any]:
    def work(session: Session) -> list[OAuthApplication]:
        stmt = (
            select(OAuthApplication)
            .where(OAuthApplication.status.in_([AppStatus.SUBMITTED.value, AppStatus.WAITLISTED.value]))
            .order_by(OAuthApplication.submitted_at, OAuthApplication.created_at)
            .limit(200)
        )
        return list(session.scalars(stmt))

    return page(
        "staff_apps.html", status=status, apps=await database(state).write(work), error=error, user=user, csrf=csrf
    )


@post("/staff/apps/{app_id:uuid}/review", status_code=303)
async def staff_review(request: Request[Any, Any, Any], state: State, app_id: FromPath[uuid.UUID]) -> Response[Any]:
    checked = await _checked_post(request, state, "staff")
    if isinstance(checked, Response):
        return checked
    user, csrf, form = checked

    def work(session: Session) -> None:
        app = session.get(OAuthApplication, app_id)
        if app is None:
            raise NotFound("no such app")
        apps.review_app(session, app, form.get("decision", ""), form.get("reason", ""), session.get(User, user.id))

    try:
        await database(state).write(work)
    except JoistError as exc:
        return await _staff_page(state, user, csrf, error=exc.detail, status=400)
    return _see_other("/staff/apps")


def web_router() -> Router:
    return Router(
        path="/",
        include_in_schema=False,
        route_handlers=[
            stylesheet,
            login_form,
            login,
            logout,
            authorize_page,
            authorize_decision,
            authorized_apps,
            revoke_authorized_app,
            developer_apps,
            new_app_form,
            create_app,
            developer_app,
            edit_app_form,
            edit_app,
            submit_app,
            rotate_secret,
            staff_apps,
            staff_review,
        ],
    )
