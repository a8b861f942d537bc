"""Authorization-code exchange and refresh on Joist's authorization server against
django-oauth-toolkit doing the same grants, on the same machine and database engine, in one run.

Issue #5, deliverable 6. Run: ``uv run python -m benchmarks.oauth [--write-docs]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from benchmarks.api import joist, postgres_database, start_server, stop
from benchmarks.report import ROOT, machine, markdown_table, print_table, write_docs

__all__ = ["main"]

DOT_DIR = ROOT / "benchmarks" / "dot"
DOT_VENV = DOT_DIR / ".venv"
DOT_REQUIREMENTS = ("django>=5.1,<6", "django-oauth-toolkit>=3.4,<4", "uvicorn>=0.34", "psycopg[binary,pool]>=3.2,<4")
REDIRECT = "http://127.0.0.1:9/callback"
DATABASES = ("sqlite", "postgresql")
HEADINGS = ("database", "server", "grant", "requests", "req/s", "p50 ms", "p99 ms", "Joist ÷ DOT", "target ≥ 1×")


@dataclass(frozen=True)
class Run:
    database: str
    server: str
    grant: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    answers: list[dict[str, Any]]


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the two servers ------------------------------------------------------------------------


def joist_setup(
    tmp: Path, count: int, challenge: str, database_url: str | None
) -> tuple[dict[str, str], str, str, list[str]]:
    """Migrate a fresh database (SQLite in ``tmp`` unless a URL is given); an approved
    confidential app and ``count`` codes."""
    from service.accounts.models import UserKind
    from service.accounts.services import create_builder, create_person, create_user
    from service.db.engine import make_engine, make_sessionmaker
    from service.oauth import server
    from service.oauth.apps import create_app, review_app, submit_app
    from service.oauth.schemas import AppCreate
    from service.settings import Settings

    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOIST_")}
    env |= {
        "JOIST_DATA_DIR": str(tmp),
        "JOIST_SECRET_KEY": "benchmark-instance-key-0123456789abcdef",
        "JOIST_OAUTH_TOKEN_RATE_LIMIT": "100000000",  # DOT has no token-endpoint limit
    }
    if database_url:
        env["JOIST_DATABASE_URL"] = database_url
    joist(env, "db", "upgrade")
    engine = make_engine(Settings.from_env(env).database_url, pool_size=1, max_overflow=0)
    try:
        with make_sessionmaker(engine).begin() as session:
            builder = create_builder(session, slug="bench", name="Bench", plan="enterprise")
            user = create_user(session, builder, email="owner@bench.example", role="owner")
            developer = create_person(
                session, UserKind.DEVELOPER, email="dev@bench.example", password="bench-password-1"
            )
            app, secret = create_app(
                session,
                developer.id,
                AppCreate(name="bench", redirect_uris=[REDIRECT], scopes=["read:projects", "write:projects"]),
            )
            submit_app(session, developer.id, app.id)
            review_app(session, app, "approve", "benchmark", None)
            policy = server.OAuthPolicy(issuer="http://bench", code_seconds=3600)
            request = server.check_authorize(
                session,
                {
                    "response_type": "code",
                    "client_id": app.client_id,
                    "redirect_uri": REDIRECT,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                },
            )
            codes = [
                server.issue_code(session, request, builder_id=builder.id, user_id=user.id, policy=policy)
                for _ in range(count)
            ]
            client_id = app.client_id
    finally:
        engine.dispose()
    assert secret is not None
    return env, client_id, secret, codes


def dot_python() -> Path:
    """The toolkit's own virtualenv under benchmarks/dot/, made from PyPI on first use."""
    python = DOT_VENV / "bin" / "python"
    if not python.exists():
        print("  setting up django-oauth-toolkit in benchmarks/dot/.venv", file=sys.stderr)
        subprocess.run(["uv", "venv", str(DOT_VENV), "--python", "3.11", "-q"], check=True)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), *DOT_REQUIREMENTS], check=True)
    return python


def dot_setup(
    python: Path, tmp: Path, count: int, challenge: str, database_url: str | None
) -> tuple[dict[str, str], str, str, list[str]]:
    env = {**os.environ, "DOT_DATABASE": str(tmp / "dot.sqlite3"), "PYTHONPATH": str(ROOT)}
    if database_url:
        env["DOT_DATABASE_URL"] = database_url.replace("postgresql+psycopg://", "postgresql://")
    cmd = [str(python), "-m", "benchmarks.dot.setup_dot", str(count), REDIRECT, challenge]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"django-oauth-toolkit setup failed: {out.stderr[-2000:]}")
    made = json.loads(out.stdout.strip().splitlines()[-1])
    return env, made["client_id"], made["client_secret"], made["codes"]


def start_dot(python: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [str(python), "-m", "uvicorn", "benchmarks.dot.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--no-access-log", "--log-level", "warning"]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"{base}/o/token/", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"django-oauth-toolkit did not start: {log.read_text()[-2000:]}")


# -- the load ---------------------------------------------------------------------------------


async def drive(
    url: str, auth: tuple[str, str], bodies: list[dict[str, str]], connections: int
) -> tuple[float, list[float], list[dict[str, Any]]]:
    """POST every body once with ``connections`` in flight; req/s, latencies (ms) and answers."""
    latencies: list[float] = []
    answers: list[dict[str, Any]] = [{} for _ in bodies]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(bodies)):
        queue.put_nowait(i)
    basic = {"Authorization": "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            began = time.perf_counter()
            async with session.post(url, data=bodies[i], headers=basic) as resp:
                text = await resp.text()
                if resp.status != 200:
                    raise RuntimeError(f"{url}: HTTP {resp.status}: {text[:500]}")
                answer = json.loads(text)
            latencies.append((time.perf_counter() - began) * 1000)
            answers[i] = answer

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - began
    return len(bodies) / elapsed, latencies, answers


def p(latencies: list[float], q: int) -> float:
    return statistics.quantiles(latencies, n=100)[q - 1]


def run_server(
    database: str,
    name: str,
    token_url: str,
    auth: tuple[str, str],
    codes: list[str],
    verifier: str,
    args: argparse.Namespace,
) -> list[Run]:
    exchange = [
        {"grant_type": "authorization_code", "code": c, "redirect_uri": REDIRECT, "code_verifier": verifier}
        for c in codes
    ]
    warm, timed = exchange[: args.warmup], exchange[args.warmup :]
    asyncio.run(drive(token_url, auth, warm, args.connections))
    rps, lat, answers = asyncio.run(drive(token_url, auth, timed, args.connections))
    runs = [Run(database, name, "authorization_code", len(timed), rps, p(lat, 50), p(lat, 99), answers)]
    refresh = [{"grant_type": "refresh_token", "refresh_token": a["refresh_token"]} for a in answers]
    rps, lat, answers = asyncio.run(drive(token_url, auth, refresh, args.connections))
    runs.append(Run(database, name, "refresh_token", len(refresh), rps, p(lat, 50), p(lat, 99), answers))
    return runs


def run_database(
    database: str, python: Path, count: int, verifier: str, challenge: str, args: argparse.Namespace
) -> list[Run]:
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="joist-oauth-bench-") as tmp_name, contextlib.ExitStack() as stack:
        tmp = Path(tmp_name)
        joist_url = dot_url = None
        if database == "postgresql":
            joist_url = stack.enter_context(postgres_database())
            dot_url = stack.enter_context(postgres_database())
        print(f"== Joist on {database}", file=sys.stderr)
        env, client_id, secret, codes = joist_setup(tmp / "joist", count, challenge, joist_url)
        proc, base = start_server(env, tmp / "joist.log")
        try:
            token_url = f"{base}/api/v1/oauth/token"
            runs += run_server(database, "Joist", token_url, (client_id, secret), codes, verifier, args)
        except RuntimeError:
            print((tmp / "joist.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop(proc)
        print(f"== django-oauth-toolkit on {database}", file=sys.stderr)
        dot_env, client_id, secret, codes = dot_setup(python, tmp, count, challenge, dot_url)
        proc, base = start_dot(python, dot_env, tmp / "dot.log")
        try:
            runs += run_server(
                database, "django-oauth-toolkit", f"{base}/o/token/", (client_id, secret), codes, verifier, args
            )
        except RuntimeError:
            print((tmp / "dot.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop(proc)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--requests", type=int, default=2000, help="Timed exchanges (and as many refreshes) per server."
    )
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--only", choices=DATABASES, help="One database instead of both.")
    args = parser.parse_args(argv)
    args.databases = (args.only,) if args.only else DATABASES
    count = args.requests + args.warmup
    verifier, challenge = pkce()
    runs: list[Run] = []
    python = dot_python()
    for database in args.databases:
        runs += run_database(database, python, count, verifier, challenge, args)
    dot = {(r.database, r.grant): r for r in runs if r.server != "Joist"}
    table = []
    for r in runs:
        ratio, verdict = "-", "-"
        if r.server == "Joist":
            ratio_value = r.rps / dot[r.database, r.grant].rps
            ratio, verdict = f"{ratio_value:.2f}×", "PASS" if ratio_value >= 1 else "MISS"
        table.append(
            (
                r.database,
                r.server,
                r.grant,
                str(r.requests),
                f"{r.rps:,.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                ratio,
                verdict,
            )
        )
    print(machine())
    print_table(HEADINGS, table)
    if args.write_docs:
        section = "\n".join(
            [
                "## `benchmarks.oauth` — token endpoint: Joist vs django-oauth-toolkit",
                "",
                f"`uv run python -m benchmarks.oauth --write-docs` on {machine()}.",
                "",
                *markdown_table(HEADINGS, table),
                "",
                f"Each database holds both servers' data in the same run (SQLite: a fresh file each; PostgreSQL: a "
                "fresh database each on the local server); one uvicorn worker each, driven by one aiohttp client with "
                f"{args.connections} connections on loopback after {args.warmup} warm-up exchanges; each timed "
                "request is a distinct code (S256 PKCE, `client_secret_basic`), then each issued refresh token is "
                "refreshed once. django-oauth-toolkit is configured with PKCE required, refresh rotation with reuse "
                "protection and a 10 s grace period, and `hash_client_secret=False` (its default hashes the secret "
                "with Django's password hasher, which would make it far slower); it stores tokens in plain text, "
                "where Joist stores SHA-256 hashes. The client shares the machine's cores with the server.",
            ]
        )
        write_docs("oauth", section)
    return 0 if all(row[-1] in ("PASS", "-") for row in table) else 1


if __name__ == "__main__":
    sys.exit(main())
