"""Statements the API reads apps, reviews and authorizations with (rows render by position)."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from service.http.pagination import ListQuery, PageParams, encode_cursor
from service.oauth.models import AppReview, OAuthApplication, OAuthAuthorization
from service.oauth.schemas import AuthorizedAppOut, AuthorizedAppPage

__all__ = ["APP_LIST", "REVIEW_LIST", "authorized_apps_page"]

APPS = OAuthApplication.__table__.c
REVIEWS = AppReview.__table__.c

# In AppOut's field order.
APP_COLUMNS = (
    APPS.id,
    APPS.client_id,
    APPS.client_type,
    APPS.name,
    APPS.description,
    APPS.redirect_uris,
    APPS.scopes,
    APPS.logo_url,
    APPS.homepage_url,
    APPS.status,
    APPS.review_reason,
    APPS.client_secret_prefix,
    APPS.submitted_at,
    APPS.reviewed_at,
    APPS.published_at,
    APPS.created_at,
    APPS.updated_at,
)
APP_LIST = ListQuery(
    APP_COLUMNS,
    tenant=APPS.developer_id,
    created_at=APPS.created_at,
    ident=APPS.id,
    filters={"status": APPS.status == bindparam("status")},
)
REVIEW_LIST = ListQuery(
    (REVIEWS.id, REVIEWS.decision, REVIEWS.reason, REVIEWS.created_at),
    tenant=REVIEWS.app_id,
    created_at=REVIEWS.created_at,
    ident=REVIEWS.id,
)


def authorized_apps_page(session: Session, builder_id: uuid.UUID, page: PageParams) -> AuthorizedAppPage:
    """The builder's apps that still hold an authorization, newest first."""
    stmt = (
        select(OAuthAuthorization, OAuthApplication.client_id, OAuthApplication.name)
        .join(OAuthApplication, OAuthApplication.id == OAuthAuthorization.app_id)
        .where(OAuthAuthorization.builder_id == builder_id, OAuthAuthorization.revoked_at.is_(None))
        .order_by(OAuthAuthorization.created_at.desc(), OAuthAuthorization.id.desc())
        .limit(page.limit + 1)
    )
    if page.after is not None:
        columns = OAuthAuthorization.__table__.c
        after = tuple_(
            bindparam("after_created", page.after[0], type_=columns.created_at.type),
            bindparam("after_id", page.after[1], type_=columns.id.type),
        )
        stmt = stmt.where(tuple_(OAuthAuthorization.created_at, OAuthAuthorization.id) < after)
    rows = session.execute(stmt).all()
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1][0]
        next_cursor = encode_cursor(last.created_at, last.id)
    return AuthorizedAppPage(
        data=[
            AuthorizedAppOut(
                id=a.id,
                app_id=a.app_id,
                client_id=client_id,
                name=name,
                scopes=list(a.scopes),
                created_at=a.created_at,
                updated_at=a.updated_at,
                last_used_at=a.last_used_at,
                revoked_at=a.revoked_at,
            )
            for a, client_id, name in rows
        ],
        next_cursor=next_cursor,
    )
