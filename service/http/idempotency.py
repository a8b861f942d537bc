"""``Idempotency-Key`` on POST: the same key with the same body within 24 h replays the first
answer without a second effect; the same key with a different body is a 409.

Records are per credential. A request still running under a key makes a concurrent retry a 409;
a 5xx answer is not kept, so the client may retry. A record left in progress by a crashed
process is taken over after ``STALE_AFTER``. The stored answer is written before the last byte
of the response is sent, so a retry that follows the answer always finds it. Stored answers
are sealed with the instance key: one may hold a credential that was just created.

Routes that stream a raw body (``RAW_BODY`` in the handler's opt: feed pushes of up to
gigabytes) are never buffered here. Their request is compared in two parts. The request line
with the body's ``Content-Type`` and ``Content-Encoding`` is the fingerprint, known before a
byte of the body is read: a retry that differs there is a 409 at once, and one whose first
attempt is still running is the usual in-progress 409. The body is compared by its SHA-256:
the handler streams it to disk while hashing it and reports the digest (``body_received``),
which is kept with the answer. A retry whose key has an answer is hashed here as it arrives
(the chunks are dropped, nothing is written) and replayed only if its digest is the first
body's, whatever its framing (``Content-Length`` or chunked); any other body is a 409. An
answer for which the handler reported no digest (a refusal: 403, 415, 413, a body empty,
broken or cut short) cannot be compared with a later body, and had no effect: it is not kept,
so a retry runs again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import anyio.to_thread
import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.crypto import Sealer
from service.errors import Conflict, InvalidInput, PayloadTooLarge
from service.http.auth import PRINCIPAL_KEY, Principal
from service.http.background import every
from service.http.models import IdempotencyRecord
from service.http.query import RAW_BODY

__all__ = ["IdempotencyMiddleware", "IdempotencyStore", "body_received", "purge_expired_records", "unkept"]

log = logging.getLogger("joist.idempotency")

STALE_AFTER = timedelta(minutes=5)
MAX_STORED_BODY = 1_048_576
_HASH_STEP = 1_048_576  # bytes of a streamed body hashed per worker-thread call
_DROP_HEADERS = {b"date", b"server", b"x-request-id", b"ratelimit-limit", b"ratelimit-remaining", b"ratelimit-reset"}


@dataclass(frozen=True, slots=True)
class Stored:
    status: int
    headers: list[list[str]]
    body: bytes
    body_sha256: str | None = None  # of the streamed request body this answers (RAW_BODY routes)


class IdempotencyStore:
    def __init__(self, sessions: sessionmaker[Session], ttl: timedelta, sealer: Sealer) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._sealer = sealer

    def begin(self, principal: str, key: str, fingerprint: str) -> Stored | None:
        """Claim ``key`` for this request; return the stored answer if there is one to replay."""
        now = datetime.now(UTC)
        for _ in range(3):
            with self._sessions() as session:
                try:
                    session.add(
                        IdempotencyRecord(
                            principal=principal,
                            key=key,
                            fingerprint=fingerprint,
                            created_at=now,
                            expires_at=now + self._ttl,
                        )
                    )
                    session.commit()
                    return None
                except IntegrityError:
                    session.rollback()
                record = session.scalars(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
                    )
                ).first()
                if record is None:
                    continue  # deleted between our insert and select; try again
                abandoned = record.response_status is None and now - record.created_at > STALE_AFTER
                if record.expires_at <= now or abandoned:
                    session.delete(record)
                    session.commit()
                    continue
                if record.fingerprint != fingerprint:
                    raise _reused()
                if record.response_status is None:
                    raise Conflict(
                        "a request with this Idempotency-Key is still being processed; retry later",
                        slug="idempotency-key-in-progress",
                        title="Request in progress",
                        headers={"Retry-After": "1"},
                    )
                return self._open(record)
        raise Conflict("this Idempotency-Key is contended; retry later", slug="idempotency-key-in-progress")

    def complete(self, principal: str, key: str, stored: Stored) -> None:
        with self._sessions.begin() as session:
            record = session.scalars(
                select(IdempotencyRecord).where(IdempotencyRecord.principal == principal, IdempotencyRecord.key == key)
            ).one()
            record.response_status = stored.status
            answer = [stored.headers, stored.body, stored.body_sha256]
            record.response_body = self._sealer.seal(msgspec.msgpack.encode(answer))

    def _open(self, record: IdempotencyRecord) -> Stored:
        headers, body, *rest = msgspec.msgpack.decode(self._sealer.unseal(record.response_body or b""))
        return Stored(record.response_status or 500, headers, body, rest[0] if rest else None)

    def abandon(self, principal: str, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal,
                    IdempotencyRecord.key == key,
                    IdempotencyRecord.response_status.is_(None),
                )
            )

    def purge_expired(self) -> int:
        with self._sessions.begin() as session:
            result = session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= datetime.now(UTC)))
            return int(getattr(result, "rowcount", 0) or 0)


def purge_expired_records(store: IdempotencyStore, every_seconds: float = 3600) -> AbstractAsyncContextManager[None]:
    """While the app runs, delete records past their 24 h window once an hour."""

    def purge() -> None:
        if purged := store.purge_expired():
            log.info("purged %d expired idempotency records", purged)

    return every(every_seconds, purge, what="purging idempotency records")


def _reused() -> Conflict:
    return Conflict(
        "this Idempotency-Key was used with a different request; use a new key for a new request",
        slug="idempotency-key-reused",
        title="Idempotency-Key reused",
    )


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _valid_key(raw: bytes) -> str:
    try:
        key = raw.decode("ascii")
    except UnicodeDecodeError:
        key = ""
    if not (1 <= len(key) <= 255) or not key.isprintable():
        raise InvalidInput.field("Idempotency-Key", "must be 1–255 printable ASCII characters")
    if "," in key:  # what a proxy makes of two Idempotency-Key headers: one key per request
        raise InvalidInput.field("Idempotency-Key", "must be one key, without a comma")
    return key


async def _read_body(receive: Receive, limit: int, scope: Scope) -> bytes:
    announced = _header(scope, b"content-length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise PayloadTooLarge(f"the request body is larger than the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = cast(bytes, message.get("body", b""))
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is larger than the {limit}-byte limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _hash_body(receive: Receive, limit: int, scope: Scope) -> str:
    """SHA-256 of a streamed body as it arrives, keeping none of it."""
    announced = _header(scope, b"content-length")
    if announced is not None and announced.isdigit() and int(announced) > limit:
        raise PayloadTooLarge(f"the request body is larger than the {limit}-byte limit")
    digest = hashlib.sha256()
    pending = bytearray()
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise InvalidInput.field("body", "the body ended early: the client disconnected before sending all of it")
        chunk = cast(bytes, message.get("body", b""))
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is larger than the {limit}-byte limit")
        pending += chunk
        if len(pending) >= _HASH_STEP:
            await anyio.to_thread.run_sync(digest.update, pending)
            pending.clear()
        if not message.get("more_body", False):
            break
    digest.update(pending)
    return digest.hexdigest()


def _fingerprint(scope: Scope, body: bytes, streamed: bool) -> str:
    """What makes two POSTs "the same request": the body itself, or for a streamed body its
    description (type, coding), which is known before a byte of it is read; its bytes are then
    compared by their SHA-256 (``body_received``). The length is left out: the digest covers it,
    and a chunked body has none."""
    line = [scope["raw_path"], scope.get("query_string", b"")]
    if streamed:
        described = [_header(scope, h) or b"" for h in (b"content-type", b"content-encoding")]
        return hashlib.sha256(b"\0".join([b"POST-STREAM-SHA256", *line, *described])).hexdigest()
    return hashlib.sha256(b"\0".join([b"POST", *line, body])).hexdigest()


def _kept_headers(headers: Iterable[tuple[bytes, bytes]]) -> list[list[str]]:
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers if k.lower() not in _DROP_HEADERS]


_UNKEPT = "joist.idempotency.unkept"
_BODY_SHA256 = "joist.idempotency.body_sha256"


def unkept(scope: Scope) -> None:
    """Keep the answer to this request from its Idempotency-Key: a retry with the key runs
    again. For an answer about the request's delivery, not its content (the client went away
    before its whole body arrived), which a retry with the whole body must not get back."""
    cast(dict[str, Any], scope)[_UNKEPT] = True


def body_received(scope: Scope, sha256: str) -> None:
    """Say that a route that streams its body (``RAW_BODY``) has read all of it, and its SHA-256.

    The answer is then kept under the request's Idempotency-Key with the digest, and a retry is
    replayed only if its body has the same digest. Without this call the answer is not kept.
    """
    cast(dict[str, Any], scope)[_BODY_SHA256] = sha256


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, store: IdempotencyStore, max_body_bytes: int, max_stream_bytes: int) -> None:
        self.app = app
        self.store = store
        self.max_body_bytes = max_body_bytes
        self.max_stream_bytes = max_stream_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or cast(dict[str, Any], scope)["method"] != "POST":
            await self.app(scope, receive, send)
            return
        raw_key = _header(scope, b"idempotency-key")
        principal: Principal | None = cast(dict[str, Any], scope).get(PRINCIPAL_KEY)
        if raw_key is None or principal is None:
            await self.app(scope, receive, send)
            return
        if sum(1 for name, _ in scope["headers"] if name == b"idempotency-key") > 1:
            raise InvalidInput.field("Idempotency-Key", "send one Idempotency-Key header, not several")
        key = _valid_key(raw_key)
        handler = cast(dict[str, Any], scope).get("route_handler")
        streamed = handler is not None and bool(handler.opt.get(RAW_BODY))
        body = b"" if streamed else await _read_body(receive, self.max_body_bytes, scope)
        fingerprint = _fingerprint(scope, body, streamed)
        identity = principal.identity
        stored = await anyio.to_thread.run_sync(self.store.begin, identity, key, fingerprint)
        if stored is not None:
            await self._replay(stored, scope, receive, send, streamed=streamed)
            return

        status = 500
        kept: list[list[str]] = []
        parts: list[bytes] = []
        size = 0

        recorded = False

        async def capture(message: Message) -> None:
            nonlocal status, kept, size, recorded
            if message["type"] == "http.response.start":
                status = message["status"]
                kept = _kept_headers(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size <= MAX_STORED_BODY:
                    parts.append(chunk)
                if not message.get("more_body", False):
                    # Record before the client can see the end of the answer and retry.
                    await self._finish(identity, key, status, kept, parts, size, scope, streamed=streamed)
                    recorded = True
            await send(message)

        sent = streamed  # a streamed body is read by the handler straight from the client

        async def replay_body() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            if not recorded:
                await anyio.to_thread.run_sync(self.store.abandon, identity, key)
            raise
        if not recorded:  # the app ended without a final body message
            await anyio.to_thread.run_sync(self.store.abandon, identity, key)

    async def _finish(
        self,
        identity: str,
        key: str,
        status: int,
        headers: list[list[str]],
        parts: list[bytes],
        size: int,
        scope: Scope,
        *,
        streamed: bool,
    ) -> None:
        marks = cast(dict[str, Any], scope)
        digest: str | None = marks.get(_BODY_SHA256)
        # A streamed body's answer is kept only with the digest a retry's body must match.
        keep = not marks.get(_UNKEPT) and (digest is not None or not streamed)
        if not keep or status >= 500 or size > MAX_STORED_BODY:
            await anyio.to_thread.run_sync(self.store.abandon, identity, key)
        else:
            stored = Stored(status, headers, b"".join(parts), digest)
            await anyio.to_thread.run_sync(self.store.complete, identity, key, stored)

    async def _replay(self, stored: Stored, scope: Scope, receive: Receive, send: Send, *, streamed: bool) -> None:
        """Send the stored answer; for a streamed body, only once it is read through SHA-256 and
        found to be the first one's (a 409 otherwise)."""
        if streamed and (
            stored.body_sha256 is None  # an answer kept with no digest: nothing to match
            or await _hash_body(receive, self.max_stream_bytes, scope) != stored.body_sha256
        ):
            raise _reused()
        await _send_stored(stored, send)


async def _send_stored(stored: Stored, send: Send) -> None:
    headers: list[tuple[bytes, bytes]] = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    headers.append((b"idempotent-replayed", b"true"))
    start: Any = {"type": "http.response.start", "status": stored.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})
