"""Webhook delivery throughput and latency, on SQLite and on PostgreSQL.

Issue "Core entities on the public API, and webhooks". Run:
``uv run python -m benchmarks.webhooks [--write-docs] [--messages N] [--only sqlite|postgresql]``.

(a) Throughput: N deliveries queued (events fanned out to 1, 10 or 100 subscriptions), then one
    ``DeliveryWorker`` sends them all to a fast local receiver (uvicorn, answers 204). The
    baseline, in the same run, is a bare ``httpx.AsyncClient`` posting the same signed payloads to
    the same URLs with the same concurrency. Targets: ≥ 0.5× the bare client and ≥ 1,000
    deliveries/s on one worker.
(b) Latency: events committed one per transaction at 200/s for a while, the worker running;
    the receiver measures receipt time minus the event's timestamp. Target: p99 < 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import anyio
import httpx
from sqlalchemy import func, select

from benchmarks.report import ROOT, machine, markdown_table, print_table, write_docs

__all__ = ["main"]

DATABASES = ("sqlite", "postgresql")
ENDPOINTS = (1, 10, 100)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "benchmark-instance-key-0123456789abcdef"
MIN_RATIO, MIN_RATE, MAX_P99 = 0.5, 1000.0, 1.0
HEADINGS = ("database", "endpoints", "deliveries", "worker/s", "bare httpx/s", "ratio", "target verdict")
LAT_HEADINGS = ("database", "rate", "events", "p50", "p99", "max", "target verdict")


@dataclass(frozen=True)
class Throughput:
    database: str
    endpoints: int
    deliveries: int
    worker_rate: float = 0.0
    bare_rate: float = 0.0
    error: str | None = None


@dataclass(frozen=True)
class Latency:
    database: str
    rate: int
    events: int
    p50: float = 0.0
    p99: float = 0.0
    worst: float = 0.0
    error: str | None = None


# -- the receiver ----------------------------------------------------------------------------


@contextlib.contextmanager
def receiver() -> Iterator[str]:
    from tests.conftest import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "benchmarks.receiver:app", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/stats", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the benchmark receiver did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def stats(base: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{base}/stats", timeout=10).json()
    return body


# -- set-up ----------------------------------------------------------------------------------


@contextlib.contextmanager
def database(kind: str) -> Iterator[str]:
    from service.db.migrate import upgrade
    from service.db.scratch import scratch_postgres_database

    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="joist-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'joist.db'}"
            upgrade(url)
            yield url
    else:
        with scratch_postgres_database(PG_ADMIN, "joist_bench") as url:
            upgrade(url)
            yield url


def seed(url: str, base: str, path: str, endpoints: int, events: int) -> tuple[Any, uuid.UUID, list[str]]:
    """A builder with ``endpoints`` subscriptions and ``events`` events fanned out to all of them."""
    from service.accounts.services import create_builder
    from service.crypto import Sealer
    from service.db.database import Database
    from service.db.engine import make_engine
    from service.events.catalogue import WebhookNotice
    from service.events.services import record
    from service.webhooks.schemas import WebhookIn
    from service.webhooks.services import SECRET_PURPOSE, Owner, create_subscription

    db = Database(make_engine(url, pool_size=8, max_overflow=8))
    sealer = Sealer(SECRET_KEY, SECRET_PURPOSE)

    def setup(session: Any) -> tuple[uuid.UUID, list[str]]:
        builder = create_builder(session, slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
        secrets = [
            create_subscription(
                session, Owner(builder.id), WebhookIn(url=f"{base}{path}{i}", event_types=["webhook.test"]), sealer
            ).secret
            for i in range(endpoints)
        ]
        return builder.id, secrets

    builder_id, secrets = db.write_sync(setup)
    for start in range(0, events, 1000):

        def batch(session: Any, start: int = start) -> None:
            for n in range(start, min(start + 1000, events)):
                record(
                    session,
                    builder_id=builder_id,
                    type="webhook.test",
                    entity_id=uuid.uuid4(),
                    sequence=n,
                    data=WebhookNotice(subscription_id=str(n), url="https://example.com", reason=None),
                )

        db.write_sync(batch)
    return db, builder_id, secrets


def make_worker(db: Any) -> Any:
    from service.crypto import Sealer
    from service.outbound import OutboundPolicy
    from service.webhooks.services import SECRET_PURPOSE
    from service.webhooks.worker import DeliveryWorker, WorkerConfig

    return DeliveryWorker(
        db, Sealer(SECRET_KEY, SECRET_PURPOSE), OutboundPolicy((IPv4Network("127.0.0.1/32"),)), WorkerConfig()
    )


def succeeded(db: Any) -> int:
    from service.webhooks.models import WebhookDelivery

    return int(
        db.read_sync(
            lambda c: c.execute(
                select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.state == "succeeded")
            ).scalar_one()
        )
    )


# -- (a) throughput ----------------------------------------------------------------------------


async def run_worker_until(worker: Any, done: Any, timeout: float) -> float:
    stop = anyio.Event()
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        tg.start_soon(worker.run, stop)
        with anyio.fail_after(timeout):
            while not await anyio.to_thread.run_sync(done):
                await anyio.sleep(0.05)
        elapsed = time.perf_counter() - started
        stop.set()
    return elapsed


async def bare_client(urls: list[str], secrets: list[str], bodies: list[bytes], concurrency: int) -> float:
    """The same signed POSTs with nothing but httpx: the ceiling for the worker's own sending."""
    from service.webhooks import signing

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    slots = anyio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=15) as client:

        async def post(url: str, secret: str, message_id: str, body: bytes) -> None:
            async with slots:
                headers = signing.headers([secret], message_id, int(time.time()), body)
                (await client.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for i, body in enumerate(bodies):
                for url, secret in zip(urls, secrets, strict=True):
                    await slots.acquire()  # bound the number of pending tasks, as the worker does
                    slots.release()
                    tg.start_soon(post, url, secret, f"msg_{i}", body)
        return time.perf_counter() - started


def throughput(kind: str, endpoints: int, messages: int) -> Throughput:
    from service.webhooks import messages as wire
    from service.webhooks.worker import WorkerConfig

    events = max(1, messages // endpoints)
    total = events * endpoints
    try:
        with database(kind) as url, receiver() as base:
            db, _builder, secrets = seed(url, base, "/e", endpoints, events)
            try:
                elapsed = anyio.run(run_worker_until, make_worker(db), lambda: stats_count(base) >= total, 300)
                got = succeeded(db)
                if got != total:
                    return Throughput(kind, endpoints, total, error=f"{got} of {total} deliveries succeeded")
            finally:
                db.engine.dispose()
            bodies = [
                wire.body(uuid.uuid4(), "webhook.test", datetime.now(UTC), n, {"subscription_id": str(n)})
                for n in range(events)
            ]
            urls = [f"{base}/e{i}" for i in range(endpoints)]
            config = WorkerConfig()
            concurrency = min(config.max_in_flight, config.endpoint_concurrency * endpoints)
            httpx.get(f"{base}/reset", timeout=10)
            bare = anyio.run(bare_client, urls, secrets, bodies, concurrency)
            if stats_count(base) != total:
                return Throughput(kind, endpoints, total, error="the bare client lost requests")
            return Throughput(kind, endpoints, total, total / elapsed, total / bare)
    except Exception as exc:  # reported in the table; the other runs still happen
        return Throughput(kind, endpoints, total, error=f"{type(exc).__name__}: {exc}")


def stats_count(base: str) -> int:
    return int(stats(base)["count"])


# -- (b) latency -------------------------------------------------------------------------------


def latency(kind: str, rate: int, seconds: int) -> Latency:
    from service.events.catalogue import WebhookNotice
    from service.events.services import record

    events = rate * seconds
    try:
        with database(kind) as url, receiver() as base:
            db, builder_id, _ = seed(url, base, "/lat/", 1, 0)
            try:

                def produce() -> None:
                    start = time.perf_counter()
                    for n in range(events):
                        time.sleep(max(0.0, start + n / rate - time.perf_counter()))
                        db.write_sync(
                            lambda s, n=n: record(
                                s,
                                builder_id=builder_id,
                                type="webhook.test",
                                entity_id=uuid.uuid4(),
                                sequence=n,
                                data=WebhookNotice(subscription_id=str(n), url="https://example.com"),
                            )
                        )

                producer = threading.Thread(target=produce)
                got: list[float] = []

                def done() -> bool:
                    got.extend(stats(base)["latencies"])
                    return len(got) >= events and not producer.is_alive()

                producer.start()
                anyio.run(run_worker_until, make_worker(db), done, seconds + 120)
                producer.join()
            finally:
                db.engine.dispose()
        cuts = statistics.quantiles(got, n=100)
        return Latency(kind, rate, len(got), statistics.median(got), cuts[98], max(got))
    except Exception as exc:
        return Latency(kind, rate, events, error=f"{type(exc).__name__}: {exc}")


# -- report ------------------------------------------------------------------------------------


def throughput_rows(results: Sequence[Throughput]) -> list[tuple[str, ...]]:
    table = []
    for r in results:
        if r.error:
            table.append((r.database, str(r.endpoints), f"{r.deliveries:,}", "-", "-", "-", f"ERROR: {r.error}"))
            continue
        ratio = r.worker_rate / r.bare_rate
        verdict = (
            f"≥ {MIN_RATIO}× bare: {'PASS' if ratio >= MIN_RATIO else 'MISS'}; "
            f"≥ {MIN_RATE:,.0f}/s: {'PASS' if r.worker_rate >= MIN_RATE else 'MISS'}"
        )
        table.append(
            (
                r.database,
                str(r.endpoints),
                f"{r.deliveries:,}",
                f"{r.worker_rate:,.0f}",
                f"{r.bare_rate:,.0f}",
                f"{ratio:.2f}×",
                verdict,
            )
        )
    return table


def latency_rows(results: Sequence[Latency]) -> list[tuple[str, ...]]:
    table = []
    for r in results:
        if r.error:
            table.append((r.database, f"{r.rate}/s", str(r.events), "-", "-", "-", f"ERROR: {r.error}"))
            continue
        verdict = f"p99 < {MAX_P99:g} s: {'PASS' if r.p99 < MAX_P99 else 'MISS'}"
        cells = (f"{r.p50 * 1000:.0f} ms", f"{r.p99 * 1000:.0f} ms", f"{r.worst * 1000:.0f} ms")
        table.append((r.database, f"{r.rate}/s", f"{r.events:,}", *cells, verdict))
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webhooks", description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000, help="deliveries per throughput run")
    parser.add_argument("--seconds", type=int, default=15, help="length of the latency run")
    parser.add_argument("--only", choices=DATABASES, help="run one database only")
    parser.add_argument("--write-docs", action="store_true", help="write the results into docs/benchmarks.md")
    args = parser.parse_args(argv)
    kinds = [k for k in DATABASES if args.only in (None, k)]
    rates: list[Throughput] = []
    lats: list[Latency] = []
    for kind in kinds:
        for endpoints in ENDPOINTS:
            print(f"== {kind}: {endpoints} endpoint(s)", file=sys.stderr)
            rates.append(throughput(kind, endpoints, args.messages))
        print(f"== {kind}: latency at 200/s", file=sys.stderr)
        lats.append(latency(kind, 200, args.seconds))
    host = machine()
    print(host)
    print_table(HEADINGS, throughput_rows(rates))
    print()
    print_table(LAT_HEADINGS, latency_rows(lats))
    if args.write_docs:
        command = " ".join(["uv run python -m benchmarks.webhooks", *(sys.argv[1:] if argv is None else argv)])
        method = (
            f"One `DeliveryWorker` (the code `joist worker` runs: up to 256 attempts in flight, 8 per endpoint) "
            f"against a local uvicorn receiver that answers 204; the bare client posts the same signed bodies "
            f"with httpx at the same concurrency in the same run. Latency: one event per transaction at 200/s "
            f"for {args.seconds} s, measured by the receiver from the event's timestamp (set just before its "
            f"commit) to receipt. Targets: ≥ {MIN_RATIO}× the bare client, ≥ {MIN_RATE:,.0f} deliveries/s, "
            f"p99 < {MAX_P99:g} s."
        )
        section = [
            "## Webhook delivery",
            "",
            f"Command: `{command}` — {host}.",
            "",
            method,
            "",
            *markdown_table(HEADINGS, throughput_rows(rates)),
            "",
            *markdown_table(LAT_HEADINGS, latency_rows(lats)),
        ]
        write_docs("webhooks", "\n".join(section))
    return 1 if any(r.error for r in rates) or any(r.error for r in lats) else 0


if __name__ == "__main__":
    sys.exit(main())
