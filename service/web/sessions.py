"""Server-side sessions for the web pages, and their CSRF tokens.

The cookie holds a random token; the ``web_sessions`` table holds its SHA-256, so a leaked
database row cannot sign anyone in. The cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure``
(except on plain http to a loopback address, i.e. a developer's own machine and the tests).

CSRF: a signed-in form carries HMAC(instance key, session token); the sign-in form, which has
no session yet, uses a double-submit token (a random cookie value echoed in the form).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from typing import Any

from litestar import Request, Response
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from service.accounts.models import User, WebSession
from service.db.database import Database
from service.oauth.tokens import digest

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "WebUser",
    "check_csrf",
    "cookie_secure",
    "csrf_token",
    "current_user",
    "end_session",
    "start_session",
]

SESSION_COOKIE = "joist_session"
CSRF_COOKIE = "joist_login_csrf"
SESSION_LIFETIME = timedelta(hours=12)

_BY_TOKEN = (
    select(User.id, User.kind, User.role, User.builder_id, User.email, User.name, WebSession.expires_at)
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.token_hash == bindparam("digest"), User.is_active.is_(True))
)


@dataclass(frozen=True, slots=True)
class WebUser:
    id: uuid.UUID
    kind: str
    role: str
    builder_id: uuid.UUID | None
    email: str
    name: str
    token: str  # the session's cookie value, for the CSRF token

    @property
    def can_manage_apps(self) -> bool:
        """Owners and admins may revoke the builder's authorized apps from the web page."""
        return self.kind == "builder" and self.role in ("owner", "admin")


def cookie_secure(request: Request[Any, Any, Any]) -> bool:
    if request.url.scheme == "https":
        return True
    host = (request.url.hostname or "").strip("[]")
    try:
        return not ip_address(host).is_loopback
    except ValueError:
        return host != "localhost"


async def current_user(request: Request[Any, Any, Any], db: Database) -> WebUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    row = await db.fetch_one(_BY_TOKEN, {"digest": digest(token)})
    if row is None or row[6] <= datetime.now(UTC):
        return None
    return WebUser(row[0], row[1], row[2], row[3], row[4], row[5], token)


def start_session(session: Session, user_id: uuid.UUID) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))  # sweep the stale ones
    session.add(
        WebSession(user_id=user_id, token_hash=digest(token), created_at=now, expires_at=now + SESSION_LIFETIME)
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


def csrf_token(secret_key: str, session_token: str) -> str:
    mac = hmac.new(secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


def check_csrf(secret_key: str, user: WebUser, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(csrf_token(secret_key, user.token), submitted or "")


def set_cookie(response: Response[Any], request: Request[Any, Any, Any], name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, secure=cookie_secure(request), samesite="lax"
    )
