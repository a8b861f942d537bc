"""Per-credential, per-minute limits by plan, with the ``RateLimit-*`` headers.

A fixed one-minute window per credential: remaining count and reset time are exact, and in
Redis it is one counter per credential (see docs/decisions.md).

Counters live in process memory, or in Redis when ``JOIST_REDIS_URL`` is set so that every
instance shares them. If Redis stops answering, the in-process counters take over (limits then
hold per instance) rather than failing every request.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import redis.asyncio
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.storage import storage_from_string

from service.errors import RateLimited

__all__ = ["RateLimitState", "RateLimiter"]

log = logging.getLogger("joist.ratelimit")


@dataclass(frozen=True, slots=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }

    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return [(name.lower().encode(), value.encode()) for name, value in self.headers().items()]


class RateLimiter:
    RETRY_SHARED_AFTER = 30  # seconds on local counters after Redis fails

    def __init__(self, redis_url: str | None = None) -> None:
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._shared: FixedWindowRateLimiter | None = None
        self._storage: Any = None
        self._pool: redis.asyncio.ConnectionPool | None = None
        if redis_url:
            # Short timeouts: a slow or absent Redis must not hold requests up; see hit().
            self._pool = redis.asyncio.ConnectionPool.from_url(
                redis_url, socket_timeout=0.25, socket_connect_timeout=0.25
            )
            # storage_from_string passes options through to the client; its hint is narrower.
            options: dict[str, Any] = {"implementation": "redispy", "connection_pool": self._pool}
            self._storage = storage_from_string("async+" + redis_url, **options)
            self._shared = FixedWindowRateLimiter(self._storage)
        self._items: dict[int, RateLimitItemPerMinute] = {}
        self._shared_down_until = 0.0

    def _item(self, limit: int) -> RateLimitItemPerMinute:
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = RateLimitItemPerMinute(limit)
        return item

    async def hit(self, identity: str, limit: int) -> RateLimitState:
        """Count one request for ``identity``; raise ``RateLimited`` when it is over ``limit``."""
        item = self._item(limit)
        use_shared = self._shared is not None and time.monotonic() >= self._shared_down_until
        strategy = self._shared if use_shared and self._shared is not None else self._local
        try:
            allowed = await strategy.hit(item, identity)
            stats = await strategy.get_window_stats(item, identity)
        except Exception as exc:  # Redis down or unreachable: keep limiting, per instance
            if strategy is self._local:
                raise
            # Stay on local counters for a while rather than paying a timeout on every request.
            self._shared_down_until = time.monotonic() + self.RETRY_SHARED_AFTER
            log.warning(
                "shared rate-limit store failed (%s); in-process counters for %d s", exc, self.RETRY_SHARED_AFTER
            )
            allowed = await self._local.hit(item, identity)
            stats = await self._local.get_window_stats(item, identity)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        state = RateLimitState(limit=limit, remaining=max(0, stats.remaining), reset_seconds=reset)
        if not allowed:
            retry_after = max(1, reset)
            raise RateLimited(
                f"this credential may make {limit} requests per minute; retry in {retry_after} s",
                headers={**state.headers(), "Retry-After": str(retry_after)},
            )
        return state

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
