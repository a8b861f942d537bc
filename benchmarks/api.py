"""Throughput of the authenticated key list against a trivial route, on SQLite and on PostgreSQL.

Issue "API keys and plan rate limits". Run: ``uv run python -m benchmarks.api [--write-docs]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.report import DOCS, ROOT, machine, markdown_table, print_table, write_docs

__all__ = ["Result", "WrkStats", "main", "parse_wrk", "run_database"]

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")
ROUTES = {"trivial": "/healthz", "authenticated": "/api/v1/api-keys?limit=25"}
MIN_RPS, MIN_RATIO = 1500.0, 0.20
WARMUP_S, EXTRA_KEYS, PAGE, KEY_RATE_LIMIT = 3, 40, 25, 1_000_000
HEADINGS = ("database", "route", "req/s", "p50", "p99", "ratio", "target verdict")
_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


@dataclass(frozen=True)
class WrkStats:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


@dataclass(frozen=True)
class Result:
    database: str
    route: str
    stats: WrkStats | None = None
    error: str | None = None


def parse_wrk(output: str) -> WrkStats:
    """Requests/s, p50 and p99 (ms) and the non-2xx count from ``wrk --latency`` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50, p99 = (re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M) for p in (50, 99))
    if rps is None or p50 is None or p99 is None:
        raise ValueError(f"cannot parse wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p50_ms, p99_ms = (float(m[1]) * _UNITS_MS[m[2]] for m in (p50, p99))
    return WrkStats(float(rps[1]), p50_ms, p99_ms, int(non_2xx[1]) if non_2xx else 0)


def run_wrk(url: str, seconds: int, connections: int, key: str | None) -> WrkStats:
    header = ["-H", f"Authorization: Bearer {key}"] if key else []
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *header, url]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    if "Socket errors" in proc.stdout:
        print(f"  note: {url}: {proc.stdout.split('Socket errors:')[1].splitlines()[0].strip()}", file=sys.stderr)
    return parse_wrk(proc.stdout)


def joist(env: dict[str, str], *args: str) -> str:
    cmd = [sys.executable, "-m", "service.cli", *args]
    proc = subprocess.run(cmd, check=False, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"joist {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, make an enterprise builder with 41 keys (40 in-process, one commit); return the CLI's key."""
    from service.accounts.services import get_builder_by_slug
    from service.api_keys.services import issue_key
    from service.db.engine import make_engine, make_sessionmaker
    from service.settings import Settings

    joist(env, "db", "upgrade")
    joist(env, "builders", "create", "--slug", "bench", "--name", "Bench", "--plan", "enterprise")
    limit = ["--rate-limit", str(KEY_RATE_LIMIT)]
    out = joist(env, "api-keys", "create", "--builder", "bench", "--name", "bench", "--scopes", "read:api_keys", *limit)
    engine = make_engine(Settings.from_env(env).database_url, pool_size=1, max_overflow=0)
    try:
        with make_sessionmaker(engine).begin() as session:
            builder = get_builder_by_slug(session, "bench")
            for i in range(EXTRA_KEYS):
                issue_key(session, builder, name=f"bench-{i}", scopes=["read:api_keys"], rate_limit=KEY_RATE_LIMIT)
    finally:
        engine.dispose()
    return out.strip().splitlines()[-1]


def healthy(proc: subprocess.Popen[bytes], base: str, within: float = 60.0) -> bool:
    """Wait for ``GET /healthz`` to answer 200 while the server runs."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_server(env: dict[str, str], log: Path, attempts: int = 3) -> tuple[subprocess.Popen[bytes], str]:
    """One uvicorn worker; retried a minute apart, in case the service is mid-edit."""
    for attempt in range(1, attempts + 1):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        with log.open("ab") as out:
            cmd = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        if healthy(proc, base):
            return proc, base
        stop(proc)
        if attempt < attempts:
            print(f"  server did not start (attempt {attempt}/{attempts}); retrying in 60 s", file=sys.stderr)
            time.sleep(60)
    raise RuntimeError(f"server did not start; log tail:\n{log.read_text()[-2000:]}")


def verify(base: str, key: str) -> None:
    resp = httpx.get(base + ROUTES["authenticated"], headers={"Authorization": f"Bearer {key}"}, timeout=10)
    items = resp.json().get("data") if resp.status_code == 200 else None
    if items is None or len(items) != PAGE:
        raise RuntimeError(f"key list check failed: HTTP {resp.status_code}: {resp.text[:300]}")


def postgres_database() -> contextlib.AbstractContextManager[str]:
    """A fresh PostgreSQL database, dropped afterwards (even on failure)."""
    from service.db.scratch import scratch_postgres_database

    return scratch_postgres_database(PG_ADMIN, "joist_bench")


def measure(database: str, route: str, base: str, key: str, args: argparse.Namespace) -> Result:
    """A warm-up, then the timed run; a run with any non-2xx response is an error, not a result."""
    url, auth = base + ROUTES[route], key if route == "authenticated" else None
    try:
        run_wrk(url, WARMUP_S, args.connections, auth)
        stats = run_wrk(url, args.duration, args.connections, auth)
    except subprocess.CalledProcessError as exc:
        return Result(database, route, error=f"wrk exited {exc.returncode}: {exc.stderr.strip()}")
    except (subprocess.SubprocessError, ValueError) as exc:
        return Result(database, route, error=f"wrk failed: {exc}")
    if stats.non_2xx:
        return Result(database, route, error=f"{stats.non_2xx} non-2xx responses")
    return Result(database, route, stats)


def run_database(database: str, args: argparse.Namespace) -> list[Result]:
    print(f"== {database}", file=sys.stderr)
    try:
        database_url = postgres_database() if database == "postgresql" else contextlib.nullcontext(None)
        with tempfile.TemporaryDirectory(prefix="joist-bench-") as tmp, database_url as url:
            env = {k: v for k, v in os.environ.items() if k != "JOIST_DATABASE_URL"}
            env |= {"JOIST_DATA_DIR": tmp, "JOIST_SECRET_KEY": "benchmark-instance-key-0123456789abcdef"} | (
                {"JOIST_DATABASE_URL": url} if url else {}
            )
            key = prepare(env)
            proc, base = start_server(env, Path(tmp) / "server.log")
            try:
                verify(base, key)
                return [measure(database, route, base, key, args) for route in ROUTES]
            finally:
                stop(proc)
    except Exception as exc:  # a broken setup is reported in the table, the other database still runs
        return [Result(database, route, error=f"{type(exc).__name__}: {exc}") for route in ROUTES]


def _judge(auth: WrkStats, base: WrkStats | None) -> tuple[str, str]:
    """The ratio to the trivial route and the verdict on both targets, for an authenticated result."""
    rps_ok = "PASS" if auth.rps >= MIN_RPS else "MISS"
    ratio_ok = ("PASS" if auth.rps >= MIN_RATIO * base.rps else "MISS") if base else "ERROR (no baseline)"
    ratio = f"{auth.rps / base.rps:.0%}" if base else "-"
    return ratio, f"≥ {MIN_RPS:,.0f} req/s: {rps_ok}; ≥ {MIN_RATIO:.0%} of trivial: {ratio_ok}"


def rows(results: Sequence[Result]) -> list[tuple[str, ...]]:
    """database, route, req/s, p50, p99, ratio, verdict: one row per result."""
    out: list[tuple[str, ...]] = []
    for r in results:
        if (s := r.stats) is None:
            out.append((r.database, r.route, "ERROR", "-", "-", "-", f"ERROR: {r.error}"))
            continue
        base = next((b.stats for b in results if b.database == r.database and b.route == "trivial"), None)
        ratio, verdict = _judge(s, base) if r.route == "authenticated" else ("-", "baseline")
        out.append((r.database, r.route, f"{s.rps:,.0f}", f"{s.p50_ms:.2f} ms", f"{s.p99_ms:.2f} ms", ratio, verdict))
    return out


def markdown(table: list[tuple[str, ...]], command: str, host: str, args: argparse.Namespace) -> str:
    lines = markdown_table(HEADINGS, table)
    method = (
        f"One `joist serve` process (one uvicorn worker) per database; `wrk -t1 -c{args.connections} "
        f"-d{args.duration}s --latency` on loopback after a {WARMUP_S} s warm-up; the authenticated route is "
        f"`GET {ROUTES['authenticated']}` (a full page of {PAGE} keys), the trivial one `GET {ROUTES['trivial']}`. "
        f"Targets: authenticated ≥ {MIN_RPS:,.0f} req/s and ≥ {MIN_RATIO:.0%} of the trivial route."
    )
    head = ["## API keys and plan rate limits", "", f"Command: `{command}` — {host}.", "", method, ""]
    return "\n".join(head + lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api", description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per timed run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--only", choices=DATABASES, help="run one database only")
    parser.add_argument("--write-docs", action="store_true", help=f"write the results into {DOCS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed; running `apt-get install -y wrk`", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    results = [r for db in DATABASES if args.only in (None, db) for r in run_database(db, args)]
    table, host = rows(results), machine()
    print(host)
    print_table(HEADINGS, table)
    if args.write_docs:
        command = " ".join(["uv run python -m benchmarks.api", *(sys.argv[1:] if argv is None else argv)])
        write_docs("api-keys", markdown(table, command, host, args))
        print(f"wrote {DOCS}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
