"""The OAuth 2.0 authorization server's protocol core: authorization requests, the token,
revocation and introspection endpoints, following RFC 6749, RFC 7636 (S256 only, required for
every client), RFC 7009, RFC 7662, RFC 9207 and the RFC 9700 security BCP.

Nothing here raises across the commit boundary for a protocol error: the endpoints return an
``OAuthError`` as a value, so the revocations a replayed code or refresh token triggers are
committed even though the request itself is refused.

    OAuthError        an RFC 6749 §5.2 error for the token, revocation or introspection endpoint
    AuthorizeError    an authorization request that may be answered at the client's redirect URI
    ErrorPage         one that may not (bad client_id or redirect_uri): an error page, never a redirect
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus, urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.accounts.models import User
from service.oauth import tokens
from service.oauth.models import (
    AppStatus,
    AuthorizationCode,
    ClientType,
    OAuthApplication,
    OAuthAuthorization,
    OAuthGrant,
    OAuthToken,
)
from service.scopes import SCOPES, normalise
from service.webhooks.services import end_app_subscriptions

__all__ = [
    "AuthorizeError",
    "AuthorizeRequest",
    "ErrorPage",
    "OAuthError",
    "OAuthPolicy",
    "authorized_redirect",
    "check_authorize",
    "client_of",
    "introspect",
    "issue_code",
    "redirect_with",
    "revoke",
    "revoke_authorization",
    "token",
]

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")  # base64url of a SHA-256, unpadded
_STATE_MAX = 1000


@dataclass(frozen=True, slots=True)
class OAuthPolicy:
    issuer: str
    code_seconds: int = 60
    access_seconds: int = 3600
    refresh_seconds: int = 30 * 86400
    refresh_grace_seconds: int = 10


@dataclass
class OAuthError(Exception):
    error: str
    description: str
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass
class ErrorPage(Exception):
    title: str
    detail: str
    status: int = 400


@dataclass
class AuthorizeError(Exception):
    redirect_uri: str
    state: str | None
    error: str
    description: str


@dataclass(frozen=True, slots=True)
class AuthorizeRequest:
    app_id: uuid.UUID
    client_id: str
    app_name: str
    app_homepage: str | None
    app_logo: str | None
    developer: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str

    def hidden_fields(self) -> dict[str, str]:
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.state is not None:
            fields["state"] = self.state
        return fields


def redirect_with(redirect_uri: str, params: dict[str, str]) -> str:
    """The redirect URI with ``params`` added to its query (RFC 6749 §4.1.2: keep its own query)."""
    joiner = "&" if "?" in redirect_uri else "?"
    return redirect_uri + joiner + urlencode(params)


def authorized_redirect(err: AuthorizeError, issuer: str) -> str:
    params = {"error": err.error, "error_description": err.description}
    if err.state is not None:
        params["state"] = err.state
    params["iss"] = issuer
    return redirect_with(err.redirect_uri, params)


def check_authorize(session: Session, params: dict[str, str | None]) -> AuthorizeRequest:
    """Validate an authorization request; the client and redirect URI first (their failures
    are ``ErrorPage``), then everything else (``AuthorizeError``, answered at the redirect URI)."""
    client_id = params.get("client_id") or ""
    app = session.scalars(select(OAuthApplication).where(OAuthApplication.client_id == client_id)).first()
    if app is None or app.status != AppStatus.APPROVED:
        raise ErrorPage("Unknown application", "The link that brought you here names no application Joist knows.")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise ErrorPage("Missing redirect URI", "The application did not say where to return you (redirect_uri).")
    if redirect_uri not in app.redirect_uris:  # exact string match, RFC 9700 §4.1.3
        raise ErrorPage(
            "Unregistered redirect URI", "The application asked to return you to an address it has not registered."
        )
    state = params.get("state")

    def fail(error: str, description: str) -> AuthorizeError:
        return AuthorizeError(redirect_uri, state, error, description)

    if state is not None and len(state) > _STATE_MAX:
        raise fail("invalid_request", f"state is longer than {_STATE_MAX} characters")
    response_type = params.get("response_type")
    if not response_type:
        raise fail("invalid_request", "response_type is required")
    if response_type != "code":
        raise fail("unsupported_response_type", "only the authorization code flow (response_type=code) is supported")
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if not challenge:
        raise fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")
    if method != "S256":
        raise fail("invalid_request", "code_challenge_method must be S256 (plain is not accepted)")
    if not _CHALLENGE.fullmatch(challenge):
        raise fail("invalid_request", "code_challenge must be the unpadded base64url SHA-256 of the verifier")
    raw_scope = params.get("scope")
    scopes = normalise(raw_scope.split()) if raw_scope else list(app.scopes)
    if not scopes:
        raise fail("invalid_scope", "no scope requested")
    if unknown := [s for s in scopes if s not in SCOPES]:
        raise fail("invalid_scope", f"unknown scopes: {' '.join(unknown)}")
    if beyond := [s for s in scopes if s not in app.scopes]:
        raise fail("invalid_scope", f"scopes this application has not registered: {' '.join(beyond)}")
    developer = session.get(User, app.developer_id)
    return AuthorizeRequest(
        app_id=app.id,
        client_id=app.client_id,
        app_name=app.name,
        app_homepage=app.homepage_url,
        app_logo=app.logo_url,
        developer=(developer.name or developer.email) if developer else "an unknown developer",
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        code_challenge=challenge,
    )


def issue_code(
    session: Session, request: AuthorizeRequest, *, builder_id: uuid.UUID, user_id: uuid.UUID, policy: OAuthPolicy
) -> str:
    """The builder's consent: record the authorization and return a single-use code."""
    now = datetime.now(UTC)
    authorization = session.scalars(
        select(OAuthAuthorization).where(
            OAuthAuthorization.builder_id == builder_id, OAuthAuthorization.app_id == request.app_id
        )
    ).first()
    if authorization is None:
        authorization = OAuthAuthorization(
            builder_id=builder_id, app_id=request.app_id, user_id=user_id, scopes=request.scopes, created_at=now
        )
        session.add(authorization)
    elif authorization.revoked_at is not None:
        authorization.revoked_at = None
        authorization.created_at = now
        authorization.scopes = request.scopes
    else:
        authorization.scopes = normalise([*authorization.scopes, *request.scopes])
    authorization.user_id = user_id
    authorization.updated_at = now
    session.flush()
    code = tokens.generate(tokens.AUTHORIZATION_CODE)
    session.add(
        AuthorizationCode(
            code_hash=tokens.digest(code),
            authorization_id=authorization.id,
            app_id=request.app_id,
            user_id=user_id,
            redirect_uri=request.redirect_uri,
            scopes=request.scopes,
            code_challenge=request.code_challenge,
            expires_at=now + timedelta(seconds=policy.code_seconds),
            created_at=now,
        )
    )
    session.flush()
    return code


# -- client authentication ------------------------------------------------------------------


def _basic(header: str | None) -> tuple[str, str] | None:
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", "client authentication must use the Basic scheme", 401, _BASIC_CHALLENGE)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_client", "the Basic credentials are not readable", 401, _BASIC_CHALLENGE) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise OAuthError("invalid_client", "the Basic credentials are not readable", 401, _BASIC_CHALLENGE)
    return unquote_plus(client_id), unquote_plus(secret)


_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="joist"'}


def claimed_client_id(form: dict[str, str], authorization: str | None) -> str:
    """The client id a request names, before it is authenticated (for the per-client rate limit)."""
    try:
        basic = _basic(authorization)
    except OAuthError:
        basic = None
    return (basic[0] if basic else form.get("client_id", ""))[:100]


def client_of(session: Session, form: dict[str, str], authorization: str | None) -> OAuthApplication:
    """Authenticate the client: ``client_secret_basic`` or ``client_secret_post`` for a
    confidential client, its ``client_id`` alone for a public one; never two methods at once."""
    basic = _basic(authorization)
    challenge = _BASIC_CHALLENGE if basic else {}
    if basic is not None and "client_secret" in form:
        raise OAuthError("invalid_request", "use one client authentication method, not Basic and client_secret both")
    if basic is not None and form.get("client_id") not in (None, basic[0]):
        raise OAuthError("invalid_request", "client_id in the body differs from the Basic credentials")
    client_id, secret = basic if basic is not None else (form.get("client_id"), form.get("client_secret"))
    if not client_id:
        raise OAuthError("invalid_client", "client authentication is required", 401, _BASIC_CHALLENGE)
    app = session.scalars(select(OAuthApplication).where(OAuthApplication.client_id == client_id)).first()
    if app is None:
        raise OAuthError("invalid_client", "unknown client", 401, challenge)
    if app.client_type == ClientType.CONFIDENTIAL:
        expected = app.client_secret_hash or ""
        if not secret or not hmac.compare_digest(tokens.digest(secret), expected):
            raise OAuthError("invalid_client", "client authentication failed", 401, challenge)
    elif secret:
        raise OAuthError("invalid_client", "a public client has no secret", 401, challenge)
    if app.status != AppStatus.APPROVED:
        raise OAuthError("unauthorized_client", "this application is not approved")
    return app


# -- token endpoint -------------------------------------------------------------------------


def token(
    session: Session, form: dict[str, str], authorization: str | None, policy: OAuthPolicy
) -> dict[str, Any] | OAuthError:
    try:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(
                "unsupported_grant_type", f"{grant_type!r} is not supported; use authorization_code or refresh_token"
            )
        app = client_of(session, form, authorization)
        now = datetime.now(UTC)
        if grant_type == "authorization_code":
            return _exchange_code(session, app, form, policy, now)
        return _refresh(session, app, form, policy, now)
    except OAuthError as err:
        return err


def _required(form: dict[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not form.get(n)]
    if missing:
        raise OAuthError("invalid_request", f"missing: {', '.join(missing)}")
    return [form[n] for n in names]


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _exchange_code(
    session: Session, app: OAuthApplication, form: dict[str, str], policy: OAuthPolicy, now: datetime
) -> dict[str, Any]:
    code_text, redirect_uri, verifier = _required(form, "code", "redirect_uri", "code_verifier")
    if "scope" in form:
        raise OAuthError("invalid_request", "scope is not a parameter of the authorization_code grant")
    code = session.scalars(
        select(AuthorizationCode).where(AuthorizationCode.code_hash == tokens.digest(code_text))
    ).first()
    if code is None:
        raise OAuthError("invalid_grant", "the authorization code is not valid")
    # Single use: claim the code atomically; whoever presents it after the first use is a replay.
    claimed = session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == code.id, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(code)
        if code.grant_id is not None:
            _revoke_grant(session, code.grant_id, now, "code_replayed")
        raise OAuthError("invalid_grant", "the authorization code was already used; the tokens it issued are revoked")
    if code.app_id != app.id:
        raise OAuthError("invalid_grant", "the authorization code was issued to another client")
    if code.expires_at <= now:
        raise OAuthError("invalid_grant", "the authorization code has expired")
    if redirect_uri != code.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")
    if not _VERIFIER.fullmatch(verifier):
        raise OAuthError("invalid_grant", "code_verifier must be 43–128 characters of A–Z a–z 0–9 - . _ ~")
    if not hmac.compare_digest(_s256(verifier), code.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    authorization = session.get(OAuthAuthorization, code.authorization_id)
    if authorization is None or authorization.revoked_at is not None:
        raise OAuthError("invalid_grant", "the builder has revoked this application")
    grant = OAuthGrant(
        authorization_id=authorization.id,
        app_id=app.id,
        builder_id=authorization.builder_id,
        scopes=list(code.scopes),
        created_at=now,
    )
    session.add(grant)
    session.flush()
    code.grant_id = grant.id
    authorization.last_used_at = now
    return _issue_pair(session, grant, list(code.scopes), policy, now)


def _refresh(
    session: Session, app: OAuthApplication, form: dict[str, str], policy: OAuthPolicy, now: datetime
) -> dict[str, Any]:
    (text,) = _required(form, "refresh_token")
    row = session.scalars(
        select(OAuthToken).where(OAuthToken.token_hash == tokens.digest(text), OAuthToken.kind == "refresh")
    ).first()
    if row is None:
        raise OAuthError("invalid_grant", "the refresh token is not valid")
    grant = session.get_one(OAuthGrant, row.grant_id)
    if grant.app_id != app.id:
        raise OAuthError("invalid_grant", "the refresh token was issued to another client")
    if grant.revoked_at is not None or row.revoked_at is not None:
        raise OAuthError("invalid_grant", "the refresh token has been revoked")
    if row.expires_at <= now:
        raise OAuthError("invalid_grant", "the refresh token has expired")
    authorization = session.get(OAuthAuthorization, grant.authorization_id)
    if authorization is None or authorization.revoked_at is not None:
        raise OAuthError("invalid_grant", "the builder has revoked this application")
    scopes = list(row.scopes)
    if form.get("scope"):
        asked = normalise(form["scope"].split())
        if beyond := [s for s in asked if s not in scopes]:
            raise OAuthError("invalid_scope", f"beyond the original grant: {' '.join(beyond)}")
        scopes = asked
    claimed = session.execute(
        update(OAuthToken)
        .where(OAuthToken.id == row.id, OAuthToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        used_at = row.used_at or now
        if now - used_at > timedelta(seconds=policy.refresh_grace_seconds):
            # A rotated refresh token came back: someone holds a copy. End the whole grant.
            _revoke_grant(session, grant.id, now, "refresh_replayed")
            raise OAuthError("invalid_grant", "the refresh token was already used; this grant is revoked")
        # Within the grace window: a client's concurrent refreshes each get a pair.
    else:
        # The client has moved on: the access tokens issued with this refresh token (or before it)
        # end now rather than at their expiry, so a narrowed scope or a leaked old token stops at
        # once. Pairs issued by concurrent refreshes within the grace window are newer and stay.
        session.execute(
            update(OAuthToken)
            .where(
                OAuthToken.grant_id == grant.id,
                OAuthToken.kind == "access",
                OAuthToken.revoked_at.is_(None),
                OAuthToken.created_at <= row.created_at,
            )
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    authorization.last_used_at = now
    return _issue_pair(session, grant, scopes, policy, now)


def _issue_pair(
    session: Session, grant: OAuthGrant, scopes: list[str], policy: OAuthPolicy, now: datetime
) -> dict[str, Any]:
    access = tokens.generate(tokens.ACCESS_TOKEN)
    refresh = tokens.generate(tokens.REFRESH_TOKEN)
    session.add_all(
        [
            OAuthToken(
                grant_id=grant.id,
                kind="access",
                token_hash=tokens.digest(access),
                token_prefix=tokens.prefix_of(access, tokens.ACCESS_TOKEN),
                scopes=scopes,
                expires_at=now + timedelta(seconds=policy.access_seconds),
                created_at=now,
            ),
            OAuthToken(
                grant_id=grant.id,
                kind="refresh",
                token_hash=tokens.digest(refresh),
                token_prefix=tokens.prefix_of(refresh, tokens.REFRESH_TOKEN),
                scopes=scopes,
                expires_at=now + timedelta(seconds=policy.refresh_seconds),
                created_at=now,
            ),
        ]
    )
    session.flush()
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": policy.access_seconds,
        "refresh_token": refresh,
        "scope": " ".join(scopes),
    }


def _revoke_grant(session: Session, grant_id: uuid.UUID, now: datetime, reason: str) -> None:
    session.execute(
        update(OAuthToken)
        .where(OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(OAuthGrant)
        .where(OAuthGrant.id == grant_id, OAuthGrant.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False)
    )


def revoke_authorization(session: Session, authorization: OAuthAuthorization) -> None:
    """The builder withdraws an app: the authorization and every grant and token under it end now."""
    now = datetime.now(UTC)
    grants = session.scalars(
        select(OAuthGrant.id).where(OAuthGrant.authorization_id == authorization.id, OAuthGrant.revoked_at.is_(None))
    ).all()
    for grant_id in grants:
        _revoke_grant(session, grant_id, now, "authorization_revoked")
    session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.authorization_id == authorization.id, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if authorization.revoked_at is None:
        authorization.revoked_at = now
        authorization.updated_at = now
    end_app_subscriptions(session, authorization.builder_id, authorization.app_id)
    session.flush()


# -- revocation and introspection -----------------------------------------------------------


def _token_of_client(session: Session, app: OAuthApplication, text: str) -> tuple[OAuthToken, OAuthGrant] | None:
    row = session.scalars(select(OAuthToken).where(OAuthToken.token_hash == tokens.digest(text))).first()
    if row is None:
        return None
    grant = session.get_one(OAuthGrant, row.grant_id)
    if grant.app_id != app.id:
        return None  # another client's token: as unknown as a made-up one
    return row, grant


def revoke(session: Session, form: dict[str, str], authorization: str | None) -> OAuthError | None:
    """RFC 7009: revoking either token of a grant ends the whole grant. Unknown tokens are a 200."""
    try:
        app = client_of(session, form, authorization)
        (text,) = _required(form, "token")
        found = _token_of_client(session, app, text)
        if found is not None:
            _revoke_grant(session, found[1].id, datetime.now(UTC), "revoked_by_client")
        return None
    except OAuthError as err:
        return err


def introspect(
    session: Session, form: dict[str, str], authorization: str | None, policy: OAuthPolicy
) -> dict[str, Any] | OAuthError:
    """RFC 7662, for the client the token was issued to; anything else is ``{"active": false}``."""
    try:
        app = client_of(session, form, authorization)
        (text,) = _required(form, "token")
    except OAuthError as err:
        return err
    found = _token_of_client(session, app, text)
    now = datetime.now(UTC)
    if found is None:
        return {"active": False}
    row, grant = found
    authorization_row = session.get(OAuthAuthorization, grant.authorization_id)
    if (
        row.revoked_at is not None
        or grant.revoked_at is not None
        or row.expires_at <= now
        or (
            row.kind == "refresh"
            and row.used_at is not None
            and now - row.used_at > timedelta(seconds=policy.refresh_grace_seconds)
        )
        or authorization_row is None
        or authorization_row.revoked_at is not None
    ):
        return {"active": False}
    return {
        "active": True,
        "scope": " ".join(row.scopes),
        "client_id": app.client_id,
        "token_type": "Bearer" if row.kind == "access" else "refresh_token",
        "exp": int(row.expires_at.timestamp()),
        "iat": int(row.created_at.timestamp()),
        "sub": str(grant.builder_id),
        "iss": policy.issuer,
    }
