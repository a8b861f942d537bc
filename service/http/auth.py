"""Bearer authentication for every route: who is calling, for which builder, with what scopes.

The middleware resolves the credential (if one is sent), applies the plan rate limit and leaves a
``Principal`` in the scope; routes declared with ``needs(scope)`` are checked by ``check_scope``. Missing or bad
credentials answer 401 with ``WWW-Authenticate: Bearer``; a missing scope answers 403.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import bindparam, select, update

from service.accounts.models import Builder
from service.accounts.plans import rate_limit_for
from service.api_keys import tokens
from service.api_keys.models import ApiKey
from service.db.database import Database
from service.errors import InsufficientScope, InvalidInput, Unauthenticated
from service.http.ratelimit import RateLimiter
from service.scopes import grants

if TYPE_CHECKING:
    from service.db.database import Query

__all__ = ["AuthMiddleware", "Authenticator", "Principal", "check_scope", "needs", "principal_of"]

PRINCIPAL_KEY = "joist.principal"
RATE_STATE_KEY = "joist.rate_limit"
_QUERY_CREDENTIALS = (b"access_token=", b"api_key=")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a credential acting for one builder, with its scopes."""

    builder_id: uuid.UUID
    plan: str
    credential_id: uuid.UUID
    credential_kind: str
    scopes: frozenset[str]
    rate_limit: int
    expires_at: datetime | None = None

    @property
    def identity(self) -> str:
        """Stable name of the credential, for rate limits and idempotency records."""
        return f"{self.credential_kind}:{self.credential_id}"


class KeyRow(NamedTuple):
    """What authentication reads about a key, in ``Authenticator._by_hash`` column order."""

    id: uuid.UUID
    builder_id: uuid.UUID
    scopes: list[str]
    rate_limit: int | None
    expires_at: datetime | None
    is_active: bool
    last_used_at: datetime | None
    plan: str


class Authenticator:
    """Turns a bearer credential into a ``Principal`` (blocking DB work runs in a worker thread).

    Recognised keys are cached in process for ``cache_seconds`` so the hot path makes no query.
    A key revoked through this process is dropped from the cache when the revoking transaction
    commits (see ``forget``); one revoked by another instance stops working within
    ``cache_seconds``. Expiry is checked on every request.
    """

    MAX_CACHED = 50_000

    def __init__(
        self,
        db: Database,
        last_used_resolution: timedelta = timedelta(minutes=1),
        cache_seconds: float = 5.0,
    ) -> None:
        self._db = db
        self._resolution = last_used_resolution
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, KeyRow]] = {}
        self._touched: dict[uuid.UUID, float] = {}  # bounded like the cache
        self._by_hash: Query = (
            select(
                ApiKey.id,
                ApiKey.builder_id,
                ApiKey.scopes,
                ApiKey.rate_limit,
                ApiKey.expires_at,
                ApiKey.is_active,
                ApiKey.last_used_at,
                Builder.plan,
            )
            .join(Builder, Builder.id == ApiKey.builder_id)
            .where(ApiKey.key_hash == bindparam("digest"))
        )

    async def authenticate(self, credential: str) -> Principal:
        digest = tokens.hash_key(credential)
        cached = self._cache.get(digest)
        row: KeyRow | None
        if cached is not None and cached[0] > time.monotonic():
            row = cached[1]  # only well-formed keys are ever cached
        else:
            if not tokens.is_well_formed(credential):
                raise Unauthenticated(
                    "the bearer credential is not a valid Joist API key", headers=_challenge("invalid_token")
                )
            found = await self._db.fetch_one(self._by_hash, {"digest": digest})
            row = None if found is None else KeyRow._make(found)
            if row is not None and row.is_active and self._cache_seconds > 0:
                if len(self._cache) >= self.MAX_CACHED:
                    self._cache.clear()
                self._cache[digest] = (time.monotonic() + self._cache_seconds, row)
        # The key is found by its SHA-256 digest: no secret material is compared in Python,
        # so there is nothing for a timing side channel to measure.
        if row is None:
            raise Unauthenticated("the API key is not recognised", headers=_challenge("invalid_token"))
        now = datetime.now(UTC)
        if not row.is_active:
            raise Unauthenticated("the API key has been revoked", headers=_challenge("invalid_token"))
        if row.expires_at is not None and row.expires_at <= now:
            raise Unauthenticated("the API key has expired", headers=_challenge("invalid_token"))
        if self._due_for_touch(row.id, row.last_used_at, now):
            await anyio.to_thread.run_sync(self._touch, row.id, now)
        return Principal(
            builder_id=row.builder_id,
            plan=row.plan,
            credential_id=row.id,
            credential_kind="api_key",
            scopes=frozenset(row.scopes or ()),
            rate_limit=rate_limit_for(row.plan, row.rate_limit),
            expires_at=row.expires_at,
        )

    def forget(self, key_ids: set[uuid.UUID]) -> None:
        """Drop cached entries of these keys (called after a revocation commits)."""
        for digest, (_, row) in list(self._cache.items()):
            if row.id in key_ids:
                self._cache.pop(digest, None)

    def _due_for_touch(self, key_id: uuid.UUID, last_used_at: datetime | None, now: datetime) -> bool:
        # last_used_at is written at most once per resolution window per key, not on every request.
        if last_used_at is not None and now - last_used_at < self._resolution:
            return False
        mono = time.monotonic()
        if mono - self._touched.get(key_id, -1e9) < self._resolution.total_seconds():
            return False
        if len(self._touched) >= self.MAX_CACHED:
            self._touched.clear()
        self._touched[key_id] = mono
        return True

    def _touch(self, key_id: uuid.UUID, now: datetime) -> None:
        self._db.write_sync(
            lambda session: session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
        )


def _challenge(error: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'Bearer error="{error}"'}


class AuthMiddleware:
    """Resolve the bearer credential and apply its rate limit before any handler runs."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, limiter: RateLimiter) -> None:
        self.app = app
        self.authenticator = authenticator
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            query = scope.get("query_string", b"")
            if query and any(q in query for q in _QUERY_CREDENTIALS) and _has_query_credential(query):
                raise InvalidInput.field(
                    "query", "credentials are not accepted in the query string; send Authorization: Bearer"
                )
            header = _authorization(scope)
            if header is not None:
                scheme, _, credential = header.partition(" ")
                if scheme.lower() != "bearer" or not credential.strip():
                    raise Unauthenticated(
                        "send the credential as 'Authorization: Bearer <key>'", headers=_challenge("invalid_request")
                    )
                principal = await self.authenticator.authenticate(credential.strip())
                scope[PRINCIPAL_KEY] = principal  # type: ignore[literal-required]
                scope[RATE_STATE_KEY] = await self.limiter.hit(principal.identity, principal.rate_limit)  # type: ignore[literal-required]
        await self.app(scope, receive, send)


def _authorization(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value.decode("latin-1")
    return None


def _has_query_credential(query: bytes) -> bool:
    return any(part.split(b"=", 1)[0] in (b"access_token", b"api_key") for part in query.split(b"&"))


def principal_of(connection: ASGIConnection[Any, Any, Any, Any] | Scope) -> Principal:
    scope = connection.scope if isinstance(connection, ASGIConnection) else connection
    principal: Principal | None = cast(dict[str, Any], scope).get(PRINCIPAL_KEY)
    if principal is None:
        raise Unauthenticated(
            "this endpoint needs 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"}
        )
    return principal


SCOPE_OPT = "joist.scope"


def needs(scope_name: str) -> dict[str, Any]:
    """Route-decorator arguments for a protected route: ``@get("/", **needs("read:api_keys"))``.

    The scope is declared once: the OpenAPI security requirement names it, and
    ``check_scope`` enforces it before the handler runs.
    """
    return {"opt": {SCOPE_OPT: scope_name}, "security": [{"bearer": [scope_name]}]}


def check_scope(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Enforce the route's scope: 401 without a credential, 403 without the scope."""
    needed: str | None = request.route_handler.opt.get(SCOPE_OPT)
    if needed is not None and not grants(principal_of(request).scopes, needed):
        raise InsufficientScope(needed)
