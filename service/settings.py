"""Process settings, read once from ``JOIST_*`` environment variables and passed down."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

__all__ = ["Settings", "SettingsError"]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1_048_576
DEFAULT_MAX_FEED_BYTES = 4 * 1024**3  # a pushed feed body, as sent (compressed or not)


class SettingsError(ValueError):
    """A ``JOIST_*`` variable holds a value Joist cannot use."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES  # an uploaded document's content
    max_feed_bytes: int = DEFAULT_MAX_FEED_BYTES
    idempotency_ttl_seconds: int = 24 * 3600
    last_used_resolution_seconds: int = 60
    auth_cache_seconds: float = 5.0
    deals_cache_seconds: float = 5.0  # how long a process prices offers with the deals it read
    outbound_allow: tuple[IPv4Network | IPv6Network, ...] = ()
    webhook_timeout_seconds: int = 15
    webhook_endpoint_concurrency: int = 8
    swagger_ui_dir: Path = field(default=REPO_ROOT / "node_modules" / "swagger-ui-dist")
    # Third-party apps and the OAuth authorization server.
    public_url: str | None = None  # the issuer; None: the URL each request arrived at
    app_waitlist: bool = False  # hold new app registrations until staff admit them
    oauth_code_seconds: int = 60
    oauth_access_token_seconds: int = 3600
    oauth_refresh_token_seconds: int = 30 * 86400
    oauth_refresh_grace_seconds: int = 10
    oauth_token_rate_limit: int = 120  # token-endpoint requests per client per minute

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("JOIST_DATA_DIR") or "./var").resolve()
        database_url = env.get("JOIST_DATABASE_URL") or f"sqlite:///{data_dir / 'joist.db'}"
        secret = env.get("JOIST_SECRET_KEY")
        secret_key = _checked_secret(secret, "JOIST_SECRET_KEY") if secret else _instance_key(data_dir)
        swagger = env.get("JOIST_SWAGGER_UI_DIR")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            secret_key=secret_key,
            redis_url=env.get("JOIST_REDIS_URL") or None,
            max_body_bytes=_int(env, "JOIST_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_document_bytes=_int(env, "JOIST_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES),
            max_feed_bytes=_int(env, "JOIST_MAX_FEED_BYTES", DEFAULT_MAX_FEED_BYTES),
            auth_cache_seconds=_int(env, "JOIST_AUTH_CACHE_SECONDS", 5),
            deals_cache_seconds=_int(env, "JOIST_DEALS_CACHE_SECONDS", 5),
            outbound_allow=_networks(env, "JOIST_OUTBOUND_ALLOW"),
            webhook_timeout_seconds=_int(env, "JOIST_WEBHOOK_TIMEOUT_SECONDS", 15),
            webhook_endpoint_concurrency=_int(env, "JOIST_WEBHOOK_ENDPOINT_CONCURRENCY", 8),
            swagger_ui_dir=Path(swagger) if swagger else REPO_ROOT / "node_modules" / "swagger-ui-dist",
            public_url=(env.get("JOIST_PUBLIC_URL") or "").rstrip("/") or None,
            app_waitlist=_bool(env, "JOIST_APP_WAITLIST"),
            oauth_code_seconds=_int(env, "JOIST_OAUTH_CODE_SECONDS", 60),
            oauth_access_token_seconds=_int(env, "JOIST_OAUTH_ACCESS_TOKEN_SECONDS", 3600),
            oauth_refresh_token_seconds=_int(env, "JOIST_OAUTH_REFRESH_TOKEN_SECONDS", 30 * 86400),
            oauth_refresh_grace_seconds=_int(env, "JOIST_OAUTH_REFRESH_GRACE_SECONDS", 10),
            oauth_token_rate_limit=_int(env, "JOIST_OAUTH_TOKEN_RATE_LIMIT", 120),
        )

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _networks(env: Mapping[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    from service.outbound import parse_allow_list

    try:
        return parse_allow_list(env.get(name, ""))
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from exc


MIN_SECRET_LENGTH = 32


def _checked_secret(key: str, source: str) -> str:
    if len(key) < MIN_SECRET_LENGTH:
        raise SettingsError(f"the instance key from {source} must be at least {MIN_SECRET_LENGTH} characters")
    return key


def _instance_key(data_dir: Path) -> str:
    """The embedded default keeps one instance key in the data dir, made on first use.

    Written to a temporary file and linked into place, so a concurrent reader never sees a
    partly written key, and two first starts agree on one key.
    """
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret.")
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
        try:
            os.link(tmp, path)  # fails if another process got there first; theirs wins
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return _checked_secret(path.read_text().strip(), str(path))
