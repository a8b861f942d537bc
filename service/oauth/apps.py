"""The developer portal: registering apps, their client credentials, and the review workflow

    waitlisted ─admit→ draft ─submit→ submitted ─approve→ approved ─publish→ (listed)
                         ▲                     ├─request_changes→ changes_requested ─submit→ …
                         └──── (edits) ────────└─reject→ rejected (final)

Services flush; the caller owns the commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from msgspec import UNSET
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import User
from service.errors import Conflict, FieldError, InvalidInput, NotFound
from service.oauth import tokens
from service.oauth.models import AppReview, AppStatus, ClientType, OAuthApplication
from service.oauth.redirects import redirect_uri_problem, web_url_problem
from service.oauth.schemas import AppCreate, AppCreated, AppOut, AppSecret, AppUpdate, ReviewOut
from service.scopes import BUILDER_ONLY, SCOPES, normalise

__all__ = [
    "create_app",
    "get_app",
    "get_app_by_client_id",
    "publish_app",
    "render_app",
    "review_app",
    "reviews_of",
    "rotate_secret",
    "submit_app",
    "update_app",
]

_EDITABLE = {AppStatus.WAITLISTED, AppStatus.DRAFT, AppStatus.CHANGES_REQUESTED}
_DECISIONS = {
    "approve": AppStatus.APPROVED,
    "request_changes": AppStatus.CHANGES_REQUESTED,
    "reject": AppStatus.REJECTED,
}


def _check_fields(
    *,
    redirect_uris: Sequence[str] | None = None,
    scopes: Sequence[str] | None = None,
    logo_url: str | None = None,
    homepage_url: str | None = None,
    name: str | None = None,
) -> None:
    errors: list[FieldError] = []
    if name is not None and not name.strip():
        errors.append(FieldError("name", "must not be blank"))
    for i, uri in enumerate(redirect_uris or ()):
        if problem := redirect_uri_problem(uri):
            errors.append(FieldError(f"redirect_uris[{i}]", problem))
    if redirect_uris is not None and len(set(redirect_uris)) != len(redirect_uris):
        errors.append(FieldError("redirect_uris", "lists a URI twice"))
    if scopes is not None and (unknown := sorted(s for s in scopes if s not in SCOPES)):
        errors.append(FieldError("scopes", f"unknown scopes: {', '.join(unknown)}"))
    elif scopes is not None and (kept := sorted(s for s in scopes if s.partition(":")[2] in BUILDER_ONLY)):
        # An app holding these could mint API keys (which outlive its revocation) or undo the
        # builder's own withdrawal of apps: they stay with the builder.
        errors.append(FieldError("scopes", f"apps cannot hold: {', '.join(kept)}"))
    for field, url in (("logo_url", logo_url), ("homepage_url", homepage_url)):
        if url is not None and (problem := web_url_problem(url)):
            errors.append(FieldError(field, problem))
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)


def _new_secret() -> tuple[str, str, str]:
    secret = tokens.generate(tokens.CLIENT_SECRET)
    return secret, tokens.digest(secret), tokens.prefix_of(secret, tokens.CLIENT_SECRET)


def create_app(
    session: Session, developer_id: uuid.UUID, data: AppCreate, *, waitlist: bool = False
) -> tuple[OAuthApplication, str | None]:
    """Register an app; returns it and, for a confidential client, its secret (never stored)."""
    _check_fields(
        redirect_uris=data.redirect_uris,
        scopes=data.scopes,
        logo_url=data.logo_url,
        homepage_url=data.homepage_url,
        name=data.name,
    )
    secret = secret_hash = secret_prefix = None
    if data.client_type == ClientType.CONFIDENTIAL.value:
        secret, secret_hash, secret_prefix = _new_secret()
    now = datetime.now(UTC)
    app = OAuthApplication(
        developer_id=developer_id,
        client_id=tokens.generate(tokens.CLIENT_ID),
        client_type=data.client_type,
        client_secret_hash=secret_hash,
        client_secret_prefix=secret_prefix,
        name=data.name.strip(),
        description=data.description,
        redirect_uris=list(data.redirect_uris),
        scopes=normalise(data.scopes),
        logo_url=data.logo_url,
        homepage_url=data.homepage_url,
        status=(AppStatus.WAITLISTED if waitlist else AppStatus.DRAFT).value,
        created_at=now,
        updated_at=now,
    )
    session.add(app)
    session.flush()
    return app, secret


def get_app(session: Session, developer_id: uuid.UUID, app_id: uuid.UUID) -> OAuthApplication:
    """The developer's app; another developer's is as absent as one that never existed."""
    app = session.get(OAuthApplication, app_id)
    if app is None or app.developer_id != developer_id:
        raise NotFound(f"no app {app_id}")
    return app


def get_app_by_client_id(session: Session, client_id: str) -> OAuthApplication:
    app = session.scalars(select(OAuthApplication).where(OAuthApplication.client_id == client_id)).first()
    if app is None:
        raise NotFound(f"no app with client_id {client_id!r}")
    return app


def update_app(session: Session, developer_id: uuid.UUID, app_id: uuid.UUID, data: AppUpdate) -> OAuthApplication:
    app = get_app(session, developer_id, app_id)
    if app.status not in _EDITABLE:
        raise Conflict(
            f"an app that is {app.status} cannot be edited; edits are allowed while it is a draft or "
            "changes are requested",
            extensions={"app_status": app.status},
        )
    changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not UNSET}
    _check_fields(
        redirect_uris=changes.get("redirect_uris"),
        scopes=changes.get("scopes"),
        logo_url=changes.get("logo_url"),
        homepage_url=changes.get("homepage_url"),
        name=changes.get("name"),
    )
    tidy: dict[str, Callable[[Any], Any]] = {"scopes": normalise, "redirect_uris": list, "name": str.strip}
    for field, value in changes.items():
        setattr(app, field, tidy[field](value) if field in tidy else value)
    app.updated_at = datetime.now(UTC)
    session.flush()
    return app


def submit_app(session: Session, developer_id: uuid.UUID, app_id: uuid.UUID) -> OAuthApplication:
    app = get_app(session, developer_id, app_id)
    if app.status == AppStatus.WAITLISTED:
        raise Conflict(
            "new registrations are on the waitlist; this app can be submitted once staff admit it",
            slug="waitlisted",
            extensions={"app_status": app.status},
        )
    if app.status not in (AppStatus.DRAFT, AppStatus.CHANGES_REQUESTED):
        raise Conflict(f"an app that is {app.status} cannot be submitted", extensions={"app_status": app.status})
    now = datetime.now(UTC)
    app.status = AppStatus.SUBMITTED.value
    app.submitted_at = now
    app.updated_at = now
    session.flush()
    return app


def rotate_secret(session: Session, developer_id: uuid.UUID, app_id: uuid.UUID) -> AppSecret:
    """A new client secret; the old one stops working at once."""
    app = get_app(session, developer_id, app_id)
    if app.client_type != ClientType.CONFIDENTIAL:
        raise Conflict("a public client has no secret")
    secret, secret_hash, prefix = _new_secret()
    app.client_secret_hash = secret_hash
    app.client_secret_prefix = prefix
    app.updated_at = datetime.now(UTC)
    session.flush()
    return AppSecret(client_id=app.client_id, client_secret=secret, client_secret_prefix=prefix)


def publish_app(session: Session, developer_id: uuid.UUID, app_id: uuid.UUID) -> OAuthApplication:
    app = get_app(session, developer_id, app_id)
    if app.status != AppStatus.APPROVED:
        raise Conflict("only an approved app can be published", extensions={"app_status": app.status})
    if app.published_at is None:
        app.published_at = app.updated_at = datetime.now(UTC)
        session.flush()
    return app


def review_app(
    session: Session, app: OAuthApplication, decision: str, reason: str, reviewer: User | None
) -> OAuthApplication:
    """Staff decide on a submitted app (or admit a waitlisted one), with a reason the developer sees."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.field("reason", "give the developer a reason")
    if decision == "admit":
        if app.status != AppStatus.WAITLISTED:
            raise Conflict("only a waitlisted app can be admitted", extensions={"app_status": app.status})
        new_status = AppStatus.DRAFT
    elif decision in _DECISIONS:
        if app.status != AppStatus.SUBMITTED:
            raise Conflict(f"an app that is {app.status} is not awaiting review", extensions={"app_status": app.status})
        new_status = _DECISIONS[decision]
    else:
        raise InvalidInput.field("decision", f"must be one of admit, {', '.join(_DECISIONS)}")
    now = datetime.now(UTC)
    app.status = new_status.value
    app.review_reason = reason
    app.reviewed_at = app.updated_at = now
    session.add(
        AppReview(
            app_id=app.id,
            reviewer_id=reviewer.id if reviewer else None,
            decision=decision,
            reason=reason,
            created_at=now,
        )
    )
    session.flush()
    return app


def reviews_of(session: Session, app: OAuthApplication) -> list[ReviewOut]:
    rows = session.scalars(
        select(AppReview).where(AppReview.app_id == app.id).order_by(AppReview.created_at.desc(), AppReview.id.desc())
    )
    return [ReviewOut(r.id, r.decision, r.reason, r.created_at) for r in rows]


def render_app(app: OAuthApplication, secret: str | None = None) -> AppOut:
    out = AppOut(
        id=app.id,
        client_id=app.client_id,
        client_type=app.client_type,
        name=app.name,
        description=app.description,
        redirect_uris=list(app.redirect_uris),
        scopes=list(app.scopes),
        logo_url=app.logo_url,
        homepage_url=app.homepage_url,
        status=app.status,
        review_reason=app.review_reason,
        client_secret_prefix=app.client_secret_prefix,
        submitted_at=app.submitted_at,
        reviewed_at=app.reviewed_at,
        published_at=app.published_at,
        created_at=app.created_at,
        updated_at=app.updated_at,
    )
    if secret is None:
        return out
    return AppCreated(**{f: getattr(out, f) for f in out.__struct_fields__}, client_secret=secret)
