"""``joist worker``: claims due deliveries, posts them signed, records every attempt.

The loop, per worker process:

1. **Claim** a batch in one short transaction: due deliveries (``next_attempt_at <= now``),
   at most ``endpoint_concurrency × queue_depth`` outstanding per subscription across all
   workers, locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so concurrent workers take
   disjoint rows (SQLite serialises writers, so the same statement is safe there). Claiming
   moves the delivery to ``delivering`` and its ``next_attempt_at`` to the end of a lease longer
   than it can wait and be attempted, so no other worker takes it meanwhile, and a worker that
   dies leaves it to be taken up again when the lease ends.
2. **Send** each one, at most ``endpoint_concurrency`` at once per subscription in each worker, so one slow
   receiver holds a bounded share of the worker and never starves the others: signed anew for
   every attempt, through the outbound guard, a connect timeout of 5 s and a total of 15 s, no
   redirects, the answer read up to a cap.
3. **Record** outcomes in batches: the attempt row, the delivery's next state (fenced on the
   lease, so a worker that lost its lease cannot overwrite a newer attempt's result), and the
   subscription's failure count, which disables it after 5 exhausted deliveries in a row or at
   once on ``410 Gone``.

Retries follow ARCHITECTURE.md: 1 min, 5 min, 30 min, 2 h and 12 h after the first attempt,
each with ±10 % jitter; a ``Retry-After`` from the receiver is honoured within those bounds.
Time comes from an injectable clock, so tests follow the schedule without sleeping.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

import aiohttp
import anyio
import httpx
from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from service.crypto import Sealer, UnsealError
from service.db.base import new_id
from service.db.database import Database
from service.events.models import Event
from service.outbound import GuardedSession, OutboundPolicy, OutboundRefused, read_capped
from service.webhooks import messages, signing
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from service.webhooks.services import SECRET_PURPOSE, disable

__all__ = ["RETRY_DELAYS", "DeliveryWorker", "Outcome", "WorkerConfig"]

log = logging.getLogger("joist.worker")

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
JITTER = 0.10
DISABLE_AFTER = 5  # consecutive exhausted deliveries
STORED_BODY_BYTES = 20 * 1024
USER_AGENT = "Joist-Webhooks/1.0"
MAX_OPEN_ENDPOINTS = 512  # keep-alive pools kept open; the least recently used idle ones close

D = WebhookDelivery.__table__.c
S = WebhookSubscription.__table__.c
E = Event.__table__.c


# An outcome lands only where this worker still holds the lease: a worker whose lease ran out
# (and whose delivery another worker took up) must not overwrite the newer attempt's result.
_FENCED_UPDATE = (
    update(WebhookDelivery)
    .where(
        D.id == bindparam("_id"),
        D.lease_owner == bindparam("_owner"),
        D.attempt_count == bindparam("_attempt"),
        D.state == "delivering",
    )
    .values(
        state=bindparam("state"),
        next_attempt_at=bindparam("next_attempt_at"),
        last_status=bindparam("last_status"),
        last_error=bindparam("last_error"),
        lease_owner=None,
        updated_at=bindparam("_now"),
    )
)


@dataclass(frozen=True)
class WorkerConfig:
    batch_size: int = 200
    max_in_flight: int = 256  # deliveries claimed and not yet finished, in this worker
    endpoint_concurrency: int = 8  # attempts at once per subscription
    # Claimed per subscription beyond those being sent (a multiple of endpoint_concurrency),
    # so the next attempt is ready the moment one finishes, without a database round trip.
    queue_depth: int = 8
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    idle_poll: float = 0.1  # seconds between claims when nothing was due
    flush_interval: float = 0.02
    # Serve only these builders' deliveries: a dedicated worker for a tenant with heavy traffic
    # (the other workers should then be given the rest). Empty: every builder.
    builders: tuple[uuid.UUID, ...] = ()

    @property
    def lease(self) -> timedelta:
        # Longer than a claimed delivery can wait for its turn and then take (each attempt ends
        # by fail_after(total_timeout)), with room to record the outcome; after it, a delivery
        # whose worker died is taken up again.
        return timedelta(seconds=self.total_timeout * self.queue_depth + 5)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Job:
    """A claimed delivery, with what it takes to send it."""

    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    attempt: int  # attempt_count after the claim: the fence for recording the outcome
    round_attempts: int
    url: str
    secrets: list[str]
    message_id: str
    body: bytes


@dataclass
class Outcome:
    job: Job
    started_at: datetime
    duration_ms: int
    request_headers: dict[str, str]
    status: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str | None = None
    error: str | None = None
    retry_after: timedelta | None = None

    @property
    def succeeded(self) -> bool:
        # A 2xx whose body then broke off is not taken as received.
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclass
class DeliveryWorker:
    db: Database
    sealer: Sealer
    policy: OutboundPolicy
    config: WorkerConfig = field(default_factory=WorkerConfig)
    clock: Callable[[], datetime] = _utcnow
    jitter: Callable[[], float] = lambda: random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (not security)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")

    def __post_init__(self) -> None:
        self._secrets: dict[bytes, str] = {}
        self._outcomes: list[Outcome] = []
        self._in_flight = 0
        self._endpoints: dict[uuid.UUID, _Endpoint] = {}
        self._recorded = anyio.Event()  # set when outcomes were written: claims may find more
        self._tls = httpx.create_ssl_context()  # one for every endpoint's pool (building one is slow)
        self.sent = 0  # attempts made by this worker, for the CLI's log line

    # -- the loop ---------------------------------------------------------------------------

    async def run(self, stop: anyio.Event) -> None:
        """Claim, send and record until ``stop`` is set; then finish what is in flight."""
        log.info("webhook worker %s started", self.name)
        async with self._http(), anyio.create_task_group() as tg:
            tg.start_soon(self._flush_loop, stop)
            while not stop.is_set():
                free = self.config.max_in_flight - self._in_flight
                want = min(free, self.config.batch_size)
                self._recorded = anyio.Event()
                jobs = await self._claim_safely(want) if want > 0 else []
                for job in jobs:
                    self._in_flight += 1
                    tg.start_soon(self._send_and_keep, job)
                if len(self._endpoints) > MAX_OPEN_ENDPOINTS:
                    await self._close_idle_endpoints(keep=MAX_OPEN_ENDPOINTS // 2)
                if len(jobs) < want or want == 0:
                    # Nothing more is due, or capacity is full: wait for outcomes to be
                    # recorded (which frees capacity) or for the poll interval.
                    with anyio.move_on_after(self.config.idle_poll):
                        await self._recorded.wait()
            # Stopping: no new claims; attempts in flight finish (bounded by the total
            # timeout), then the flush loop writes the last outcomes and returns.
        log.info("webhook worker %s stopped after %d attempts", self.name, self.sent)

    async def run_once(self) -> list[Outcome]:
        """One claim, every attempt in it, outcomes recorded; for tests and tools."""
        async with self._http():
            jobs = await self.claim(self.config.batch_size)
            async with anyio.create_task_group() as tg:
                for job in jobs:
                    self._in_flight += 1
                    tg.start_soon(self._send_and_keep, job)
            outcomes, self._outcomes = self._outcomes, []
            await self.db.write(partial(self.record, outcomes=outcomes))
            return outcomes

    def _http(self) -> _ClientScope:
        return _ClientScope(self)

    def _endpoint(self, subscription_id: uuid.UUID) -> _Endpoint:
        """The endpoint's attempt slots and its own keep-alive pool, sized to its cap. Separate
        pools keep a slow receiver's connections from crowding the others', and a small pool
        is cheap to search for a free connection on every request."""
        endpoint = self._endpoints.get(subscription_id)
        if endpoint is None:
            cap = self.config.endpoint_concurrency
            client = self.policy.session(
                limit=cap,
                connect_timeout=self.config.connect_timeout,
                total_timeout=self.config.total_timeout,
                ssl_context=self._tls,
            )
            endpoint = self._endpoints[subscription_id] = _Endpoint(anyio.Semaphore(cap), client)
        endpoint.last_used = time.monotonic()
        return endpoint

    async def _close_idle_endpoints(self, keep: int) -> None:
        """Close the least recently used idle pools beyond ``keep``."""
        idle = sorted((e.last_used, sid) for sid, e in self._endpoints.items() if e.busy == 0)
        for _, sid in idle[: max(0, len(self._endpoints) - keep)]:
            await self._endpoints.pop(sid).client.close()

    async def _send_and_keep(self, job: Job) -> None:
        endpoint = self._endpoint(job.subscription_id)
        endpoint.busy += 1
        try:
            async with endpoint.slots:
                outcome = await self.attempt(job, endpoint.client)
            self._outcomes.append(outcome)  # after the await: the flush loop swaps the list meanwhile
        finally:
            endpoint.busy -= 1
            self._in_flight -= 1

    async def _flush_loop(self, stop: anyio.Event) -> None:
        while True:
            await anyio.sleep(self.config.flush_interval)
            if self._outcomes:
                batch, self._outcomes = self._outcomes, []
                try:
                    await self.db.write(partial(self.record, outcomes=batch))
                    self._recorded.set()
                except DBAPIError as exc:  # the database went away: keep them and try again
                    log.warning("recording %d outcomes failed, retrying: %s", len(batch), exc.orig)
                    self._outcomes[:0] = batch
                    await anyio.sleep(1)
                except Exception:  # the leases run out and the deliveries are tried again
                    log.exception("recording %d outcomes failed; they will be retried", len(batch))
            elif stop.is_set() and self._in_flight == 0:
                return

    async def _claim_safely(self, limit: int) -> list[Job]:
        try:
            return await self.claim(limit)
        except DBAPIError as exc:  # a restart or a dropped connection: wait, then carry on
            log.warning("claiming deliveries failed, retrying: %s", exc.orig)
            await anyio.sleep(1)
            return []

    # -- claim ------------------------------------------------------------------------------

    async def claim(self, limit: int) -> list[Job]:
        rows = await self.db.write(lambda session: self._claim(session, limit, self.clock()))
        return [self._job(row) for row in rows]

    def _claim(self, session: Session, limit: int, now: datetime) -> Sequence[Sequence[Any]]:
        due = and_(D.next_attempt_at <= now, D.state.in_(("pending", "delivering")))
        if self.config.builders:
            due = and_(due, D.builder_id.in_(self.config.builders))
        in_flight = (
            select(D.subscription_id, func.count().label("n"))
            .where(D.state == "delivering", D.next_attempt_at > now)
            .group_by(D.subscription_id)
            .subquery()
        )
        ranked = (
            select(
                D.id,
                D.subscription_id,
                func.row_number().over(partition_by=D.subscription_id, order_by=(D.next_attempt_at, D.id)).label("rn"),
            )
            .where(due)
            .subquery()
        )
        allowed = (
            select(ranked.c.id)
            .outerjoin(in_flight, in_flight.c.subscription_id == ranked.c.subscription_id)
            .where(
                ranked.c.rn
                <= self.config.endpoint_concurrency * self.config.queue_depth - func.coalesce(in_flight.c.n, 0)
            )
        )
        # The locking SELECT reads an alias: a plain reference to the table being updated would
        # correlate to the UPDATE and leave the subquery without a FROM.
        claimable = WebhookDelivery.__table__.alias("claimable")
        locked = (
            select(claimable.c.id)
            .where(
                claimable.c.id.in_(allowed),
                claimable.c.next_attempt_at <= now,
                claimable.c.state.in_(("pending", "delivering")),
            )
            .order_by(claimable.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = (
            session.execute(
                update(WebhookDelivery)
                .where(D.id.in_(locked))
                .values(
                    state="delivering",
                    next_attempt_at=now + self.config.lease,
                    lease_owner=self.name,
                    attempt_count=D.attempt_count + 1,
                    round_attempts=D.round_attempts + 1,
                    updated_at=now,
                )
                .returning(D.id)
                .execution_options(synchronize_session=False)
            )
            .scalars()
            .all()
        )
        if not claimed:
            return []
        return session.execute(
            select(
                D.id,
                D.subscription_id,
                D.attempt_count,
                D.round_attempts,
                S.url,
                S.secret,
                S.previous_secret,
                S.previous_secret_expires_at,
                E.id,
                E.type,
                E.created_at,
                E.sequence,
                E.data,
            )
            .join(WebhookSubscription.__table__, S.id == D.subscription_id)
            .join(Event.__table__, E.id == D.event_id)
            .where(D.id.in_(claimed))
        ).all()

    def _job(self, row: Sequence[Any]) -> Job:
        (did, sid, attempt, round_attempts, url, secret, previous, previous_until, eid, etype, created, seq, data) = row
        secrets = [self._unseal(secret)]
        if previous is not None and previous_until is not None and previous_until > self.clock():
            secrets.append(self._unseal(previous))
        return Job(
            delivery_id=did,
            subscription_id=sid,
            attempt=attempt,
            round_attempts=round_attempts,
            url=url,
            secrets=secrets,
            message_id=str(eid),
            body=messages.body(eid, etype, created, seq, data),
        )

    def _unseal(self, sealed: bytes) -> str:
        secret = self._secrets.get(sealed)
        if secret is None:
            secret = self._secrets[sealed] = self.sealer.unseal(sealed).decode()
        return secret

    # -- send -------------------------------------------------------------------------------

    async def attempt(self, job: Job, client: GuardedSession) -> Outcome:
        """One POST of one delivery. Never raises: every failure becomes the outcome's error."""
        started = self.clock()
        # Signed with the wall clock whatever the injected one says: receivers compare
        # webhook-timestamp with their own clocks.
        headers = {
            "user-agent": USER_AGENT,
            **signing.headers(job.secrets, job.message_id, int(time.time()), job.body),
        }
        outcome = Outcome(job, started, 0, headers)
        begun = time.perf_counter()
        try:
            with anyio.fail_after(self.config.total_timeout):
                async with client.post(job.url, data=job.body, headers=headers) as response:
                    outcome.status = response.status
                    outcome.response_headers = dict(response.headers)
                    raw, cut = await read_capped(response, STORED_BODY_BYTES)
                    outcome.response_body = raw.decode("utf-8", "replace") + ("…[truncated]" if cut else "")
                    outcome.retry_after = _retry_after(response.headers.get("retry-after"), started)
            if 300 <= outcome.status < 400:
                outcome.error = f"answered {outcome.status}; redirects are not followed, update the webhook's URL"
            elif not outcome.succeeded:
                outcome.error = f"answered {outcome.status}"
        except TimeoutError:
            outcome.error = f"no complete answer within {self.config.total_timeout:g} s"
        except OutboundRefused as exc:
            outcome.error = f"refused by the outbound policy: {exc}"
        except aiohttp.ClientError as exc:
            refused = exc.__cause__ if isinstance(exc.__cause__, OutboundRefused) else None
            outcome.error = (
                f"refused by the outbound policy: {refused}" if refused else f"{type(exc).__name__}: {exc}"[:500]
            )
        except (UnsealError, OSError) as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"[:500]
        outcome.duration_ms = round((time.perf_counter() - begun) * 1000)
        self.sent += 1
        return outcome

    # -- record -----------------------------------------------------------------------------

    def record(self, session: Session, outcomes: Sequence[Outcome]) -> None:
        """Write attempts and the deliveries' next states; count and act on endpoint failures."""
        if not outcomes:
            return
        now = self.clock()
        session.execute(
            insert(WebhookAttempt),
            [
                {
                    "id": new_id(),
                    "delivery_id": o.job.delivery_id,
                    "number": o.job.attempt,
                    "started_at": o.started_at,
                    "duration_ms": o.duration_ms,
                    "url": o.job.url,
                    "request_headers": o.request_headers,
                    "status": o.status,
                    "response_headers": o.response_headers,
                    "response_body": o.response_body,
                    "error": o.error,
                    "worker": self.name,
                }
                for o in outcomes
            ],
        )
        transitions = [self._transition(o, now) for o in outcomes]
        for t in transitions:
            t["_owner"], t["_now"] = self.name, now
        conn = session.connection()
        done = [t for t in transitions if t["state"] == "succeeded"]
        if done:  # the common case, in one round trip
            conn.execute(_FENCED_UPDATE, done)
            session.execute(
                update(WebhookSubscription)
                .where(S.id.in_({o.job.subscription_id for o in outcomes if o.succeeded}), S.consecutive_failures != 0)
                .values(consecutive_failures=0, version=S.version + 1)
                .execution_options(synchronize_session=False)
            )
        # Failures count towards disabling the endpoint only where this worker still held the
        # lease (one by one, to know which did).
        for outcome, t in zip(outcomes, transitions, strict=True):
            if t["state"] == "succeeded" or not conn.execute(_FENCED_UPDATE, t).rowcount:
                continue
            sid = outcome.job.subscription_id
            if outcome.status == 410:
                disable(session, sid, "the endpoint answered 410 Gone", now)
            elif t["state"] == "failed":
                failures = session.execute(
                    update(WebhookSubscription)
                    .where(S.id == sid)
                    .values(consecutive_failures=S.consecutive_failures + 1, version=S.version + 1)
                    .returning(S.consecutive_failures)
                    .execution_options(synchronize_session=False)
                ).scalar()
                if failures is not None and failures >= DISABLE_AFTER:
                    disable(session, sid, f"{failures} deliveries in a row failed after every retry", now)

    def _transition(self, outcome: Outcome, now: datetime) -> dict[str, Any]:
        job = outcome.job
        common = {"_id": job.delivery_id, "_attempt": job.attempt, "last_status": outcome.status}
        if outcome.succeeded:
            return {**common, "state": "succeeded", "next_attempt_at": None, "last_error": None}
        error = (outcome.error or "failed")[:500]
        if outcome.status == 410 or job.round_attempts > len(RETRY_DELAYS):
            return {**common, "state": "failed", "next_attempt_at": None, "last_error": error}
        return {**common, "state": "pending", "next_attempt_at": now + self._delay(job, outcome), "last_error": error}

    def _delay(self, job: Job, outcome: Outcome) -> timedelta:
        base = RETRY_DELAYS[job.round_attempts - 1]
        low, high = base * (1 - JITTER), base * (1 + JITTER)
        if outcome.retry_after is not None:
            return min(max(outcome.retry_after, low), high)
        return min(max(base * self.jitter(), low), high)


def _retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when - now if when.tzinfo else None


@dataclass
class _Endpoint:
    slots: anyio.Semaphore
    client: GuardedSession
    busy: int = 0
    last_used: float = 0.0


class _ClientScope:
    """Connection pools live for a run; every one still open is closed when it ends."""

    def __init__(self, worker: DeliveryWorker) -> None:
        self.worker = worker

    async def __aenter__(self) -> None:
        pass

    async def __aexit__(self, *exc: object) -> None:
        await self.worker._close_idle_endpoints(keep=0)


def worker_from_settings(
    db: Database, settings: Any, builders: tuple[uuid.UUID, ...] = (), **overrides: Any
) -> DeliveryWorker:
    """The worker ``joist worker`` runs, configured from ``Settings``."""
    config = WorkerConfig(
        builders=builders,
        endpoint_concurrency=settings.webhook_endpoint_concurrency,
        total_timeout=float(settings.webhook_timeout_seconds),
        connect_timeout=min(5.0, float(settings.webhook_timeout_seconds)),
    )
    return DeliveryWorker(
        db, Sealer(settings.secret_key, SECRET_PURPOSE), OutboundPolicy(settings.outbound_allow), config, **overrides
    )
