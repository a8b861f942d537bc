"""Bearer credentials other than API keys, recognised by prefix: OAuth access tokens (an app
acting for a builder, with the granted scopes and the builder's plan rate limit) and developer
or staff keys. The ``Authenticator`` hands these prefixes here.

Access tokens are looked up on every request (one indexed query, no cache), so a revocation,
a replayed refresh token or a withdrawn authorization stops them at once on every instance."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, select

from service.accounts.models import Builder, User, UserKey
from service.accounts.plans import rate_limit_for
from service.db.database import Database
from service.errors import Unauthenticated
from service.http.auth import Principal, Resolver
from service.oauth import tokens
from service.oauth.models import AppStatus, OAuthApplication, OAuthAuthorization, OAuthGrant, OAuthToken

__all__ = ["PERSON_RATE_LIMIT", "CredentialResolver"]

PERSON_RATE_LIMIT = 600

_ACCESS = (
    select(
        OAuthToken.scopes,
        OAuthToken.expires_at,
        OAuthToken.revoked_at,
        OAuthGrant.id,
        OAuthGrant.revoked_at,
        OAuthGrant.builder_id,
        Builder.plan,
        OAuthAuthorization.revoked_at,
        OAuthApplication.status,
        OAuthGrant.app_id,
    )
    .join(OAuthGrant, OAuthGrant.id == OAuthToken.grant_id)
    .join(Builder, Builder.id == OAuthGrant.builder_id)
    .join(OAuthAuthorization, OAuthAuthorization.id == OAuthGrant.authorization_id)
    .join(OAuthApplication, OAuthApplication.id == OAuthGrant.app_id)
    .where(OAuthToken.token_hash == bindparam("digest"), OAuthToken.kind == "access")
)
_PERSON = (
    select(UserKey.id, UserKey.scopes, UserKey.is_active, User.id, User.kind, User.is_active)
    .join(User, User.id == UserKey.user_id)
    .where(UserKey.key_hash == bindparam("digest"))
)


def _invalid(detail: str) -> Unauthenticated:
    return Unauthenticated(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class CredentialResolver:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def prefixes(self) -> dict[str, Resolver]:
        return {
            tokens.ACCESS_TOKEN: self.access_token,
            tokens.DEVELOPER_KEY: self.person_key,
            tokens.STAFF_KEY: self.person_key,
        }

    async def access_token(self, credential: str) -> Principal:
        if not tokens.is_well_formed(credential, tokens.ACCESS_TOKEN):
            raise _invalid("the bearer credential is not a valid Joist access token")
        row = await self._db.fetch_one(_ACCESS, {"digest": tokens.digest(credential)})
        if row is None:
            raise _invalid("the access token is not recognised")
        scopes, expires_at, revoked_at, grant_id, grant_revoked, builder_id, plan, auth_revoked, status, app_id = row
        if revoked_at is not None or grant_revoked is not None or auth_revoked is not None:
            raise _invalid("the access token has been revoked")
        if status != AppStatus.APPROVED:
            raise _invalid("the application is no longer approved")
        if expires_at <= datetime.now(UTC):
            raise _invalid("the access token has expired")
        return Principal(
            account_kind="builder",
            account_id=builder_id,
            account_plan=plan,
            credential_id=grant_id,  # one rate-limit counter per grant, across rotations
            credential_kind="oauth_grant",
            scopes=frozenset(scopes or ()),
            rate_limit=rate_limit_for(plan, None),
            expires_at=expires_at,
            app_id=app_id,
        )

    async def person_key(self, credential: str) -> Principal:
        prefix = tokens.DEVELOPER_KEY if credential.startswith(tokens.DEVELOPER_KEY) else tokens.STAFF_KEY
        if not tokens.is_well_formed(credential, prefix):
            raise _invalid("the bearer credential is not a valid Joist key")
        row = await self._db.fetch_one(_PERSON, {"digest": tokens.digest(credential)})
        if row is None:
            raise _invalid("the key is not recognised")
        key_id, scopes, key_active, user_id, kind, user_active = row
        if not key_active or not user_active:
            raise _invalid("the key has been revoked")
        return Principal(
            account_kind=kind,
            account_id=user_id,
            credential_id=key_id,
            credential_kind="person_key",
            scopes=frozenset(scopes or ()),
            rate_limit=PERSON_RATE_LIMIT,
        )
