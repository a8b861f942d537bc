"""Bearer authentication for every route: who is calling, for which account, with what scopes.

The middleware resolves the credential (if one is sent), applies the rate limit and leaves a
``Principal`` in the scope; routes declared with ``needs(scope)`` are checked by ``check_scope``. Missing or bad
credentials answer 401 with ``WWW-Authenticate: Bearer``; a missing scope answers 403.

Two kinds of account hold keys: builders (the tenants) and organisations (suppliers and
manufacturers, which push feeds). A route says which it serves (``needs(..., account=...)``,
builders by default); a key of the other kind is a 403 ``wrong-account`` there. As a second
guard, ``Principal.builder_id`` itself refuses an organisation's principal, so no builder-scoped
query can ever run for one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

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
from service.errors import InsufficientScope, InvalidInput, JoistError, Unauthenticated
from service.http.ratelimit import RateLimiter
from service.orgs.models import Organisation, OrgApiKey
from service.orgs.services import ORG_RATE_LIMIT
from service.scopes import APP_SCOPES, grants

if TYPE_CHECKING:
    from service.db.database import Query

__all__ = [
    "Account",
    "AuthMiddleware",
    "Authenticator",
    "Principal",
    "WrongAccount",
    "check_scope",
    "needs",
    "principal_of",
]

PRINCIPAL_KEY = "joist.principal"
RATE_STATE_KEY = "joist.rate_limit"
_QUERY_CREDENTIALS = (b"access_token=", b"api_key=")
# The OAuth endpoints where clients authenticate themselves (RFC 6749 §2.3, Basic or form):
# their Authorization header is not a bearer credential.
CLIENT_AUTH_PATHS = frozenset({"/api/v1/oauth/token", "/api/v1/oauth/revoke", "/api/v1/oauth/introspect"})
#: Resolves a credential of a recognised prefix (OAuth access tokens, developer keys) to a Principal.
Resolver = Callable[[str], Awaitable["Principal"]]


#: Which accounts a route serves: ``builder``, ``supplier``, ``manufacturer``, or ``org`` (either of the last two);
#: ``developer`` and ``staff`` keys reach the developer portal and app review.
Account = Literal["builder", "supplier", "manufacturer", "org", "developer", "staff"]
_ORG_KINDS = frozenset({"supplier", "manufacturer"})


class WrongAccount(JoistError):
    """A valid credential of the wrong kind of account for this endpoint."""

    status = 403
    slug = "wrong-account"
    title = "This endpoint is not for this kind of account"


def _serves(account: str, kind: str) -> bool:
    return kind == account or (account == "org" and kind in _ORG_KINDS)


def _describe(account: str) -> str:
    return {"org": "supplier or manufacturer"}.get(account, account)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a credential acting for one account (a builder, or a supplier or
    manufacturer organisation), with its scopes."""

    account_kind: str  # builder | supplier | manufacturer
    account_id: uuid.UUID
    credential_id: uuid.UUID
    credential_kind: str
    scopes: frozenset[str]
    rate_limit: int
    expires_at: datetime | None = None
    account_plan: str | None = None  # builders only
    app_id: uuid.UUID | None = None  # an OAuth app acting for the builder; None for the builder's own keys

    @property
    def identity(self) -> str:
        """Stable name of the credential, for rate limits and idempotency records."""
        return f"{self.credential_kind}:{self.credential_id}"

    @property
    def is_builder(self) -> bool:
        return self.account_kind == "builder"

    @property
    def builder_id(self) -> uuid.UUID:
        """The tenant; an organisation's credential has none, and asking is a 403."""
        self.require("builder")
        return self.account_id

    @property
    def plan(self) -> str:
        self.require("builder")
        return self.account_plan or ""

    @property
    def org_id(self) -> uuid.UUID:
        self.require("org")
        return self.account_id

    def require(self, account: str) -> None:
        if not _serves(account, self.account_kind):
            raise WrongAccount(
                f"this endpoint is for {_describe(account)} credentials; this is a {self.account_kind}'s key",
                extensions={"required_account": account, "account": self.account_kind},
            )


class KeyRow(NamedTuple):
    """What authentication reads about a key, in ``Authenticator._by_hash`` column order."""

    id: uuid.UUID
    account_id: uuid.UUID
    scopes: list[str]
    rate_limit: int | None
    expires_at: datetime | None
    is_active: bool
    last_used_at: datetime | None
    plan: str  # a builder's plan; an organisation's kind (``account_kind``)
    account_kind: str = "builder"


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
        resolvers: Mapping[str, Resolver] | None = None,
    ) -> None:
        self._db = db
        self._resolvers = tuple((resolvers or {}).items())
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
        # Organisation keys are few; a builder key is found by the first query, so only an
        # organisation's key (or an unknown one) costs the second.
        self._org_by_hash: Query = (
            select(
                OrgApiKey.id,
                OrgApiKey.org_id,
                OrgApiKey.scopes,
                OrgApiKey.rate_limit,
                OrgApiKey.expires_at,
                OrgApiKey.is_active,
                OrgApiKey.last_used_at,
                Organisation.kind,
            )
            .join(Organisation, Organisation.id == OrgApiKey.org_id)
            .where(OrgApiKey.key_hash == bindparam("digest"))
        )

    async def _find(self, digest: str) -> KeyRow | None:
        """A builder's key, else an organisation's (its kind in ``plan`` and ``account_kind``)."""
        found = await self._db.fetch_one(self._by_hash, {"digest": digest})
        if found is not None:
            return KeyRow(*found)
        org = await self._db.fetch_one(self._org_by_hash, {"digest": digest})
        return None if org is None else KeyRow(*[*org, org[-1]])

    async def authenticate(self, credential: str) -> Principal:
        for prefix, resolve in self._resolvers:
            if credential.startswith(prefix):
                return await resolve(credential)
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
            row = await self._find(digest)
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
            await anyio.to_thread.run_sync(self._touch, row.id, now, row.account_kind == "builder")
        if row.account_kind == "builder":
            return Principal(
                account_kind="builder",
                account_id=row.account_id,
                account_plan=row.plan,
                credential_id=row.id,
                credential_kind="api_key",
                scopes=frozenset(row.scopes or ()),
                rate_limit=rate_limit_for(row.plan, row.rate_limit),
                expires_at=row.expires_at,
            )
        return Principal(
            account_kind=row.account_kind,
            account_id=row.account_id,
            credential_id=row.id,
            credential_kind="org_api_key",
            scopes=frozenset(row.scopes or ()),
            rate_limit=row.rate_limit or ORG_RATE_LIMIT,
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

    def _touch(self, key_id: uuid.UUID, now: datetime, builder_key: bool = True) -> None:
        table = ApiKey if builder_key else OrgApiKey
        self._db.write_sync(
            lambda session: session.execute(update(table).where(table.id == key_id).values(last_used_at=now))
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
            if header is not None and scope["path"] not in CLIENT_AUTH_PATHS:
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
ACCOUNT_OPT = "joist.account"


def needs(scope_name: str, account: Account = "builder") -> dict[str, Any]:
    """Route-decorator arguments for a protected route: ``@get("/", **needs("read:api_keys"))``.

    The scope is declared once: the OpenAPI security requirement names it, and
    ``check_scope`` enforces it before the handler runs, with the kind of account the route
    serves (builders unless ``account`` says otherwise).
    """
    security = [{"bearer": [scope_name]}]
    if account == "builder" and scope_name in APP_SCOPES:  # an app's access token will do too
        security.append({"oauth2": [scope_name]})
    return {"opt": {SCOPE_OPT: scope_name, ACCOUNT_OPT: account}, "security": security}


def check_scope(request: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Enforce the route's scope and account: 401 without a credential, 403 without the scope
    or with another kind of account's credential."""
    opt = request.route_handler.opt
    needed: str | None = opt.get(SCOPE_OPT)
    if needed is not None:
        principal = principal_of(request)
        principal.require(opt.get(ACCOUNT_OPT, "builder"))
        if not grants(principal.scopes, needed):
            raise InsufficientScope(needed)
