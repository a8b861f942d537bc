"""``joist up``: the embedded default's processes (API, webhook worker, Dagster webserver and
daemon) in one command, with URLs and the demo key printed once everything answers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from service.settings import REPO_ROOT, Settings

__all__ = ["run_all"]


def _wait_for(url: str, timeout: float, procs: list[subprocess.Popen[bytes]]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (our own loopback URL)
                if resp.status < 500:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _dagster_home(settings: Settings) -> Path:
    home = settings.data_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    # Joist owns this file: warehouse writes are serialised by a pool limit of 1, and one source's
    # runs go one at a time (runs carry a joist/source tag), so an older feed never lands last.
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "concurrency:\n  runs:\n    max_concurrent_runs: 4\n"
        "    tag_concurrency_limits:\n"
        "      - key: joist/source\n        value:\n          applyLimitPerUniqueValue: true\n        limit: 1\n"
        "  pools:\n    default_limit: 1\n"
    )
    return home


def run_all(settings: Settings, *, host: str, port: int, dagster_port: int | None) -> int:
    from service.db.engine import make_engine, make_sessionmaker
    from service.db.migrate import upgrade
    from service.demo import seed_demo

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url, pool_size=1, max_overflow=0)
    with make_sessionmaker(engine).begin() as session:
        demo_key = seed_demo(session, settings)
    engine.dispose()

    env = {**os.environ, "JOIST_DATA_DIR": str(settings.data_dir), "JOIST_DATABASE_URL": settings.database_url}
    # The embedded default is a development instance: webhooks may reach a receiver on this
    # machine unless the operator set an allow-list of their own.
    env.setdefault("JOIST_OUTBOUND_ALLOW", "127.0.0.1/32")
    joist = [sys.executable, "-m", "service.cli"]
    procs: list[subprocess.Popen[bytes]] = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [*joist, "serve", "--host", host, "--port", str(port)], env=env, cwd=REPO_ROOT, start_new_session=True
        ),
        subprocess.Popen([*joist, "worker"], env=env, cwd=REPO_ROOT, start_new_session=True),  # noqa: S603 (as above)
    ]
    if dagster_port is not None:
        denv = {**env, "DAGSTER_HOME": str(_dagster_home(settings))}
        procs.append(
            subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "dagster",
                    "dev",
                    "-w",
                    str(REPO_ROOT / "workspace.yaml"),
                    "-h",
                    host,
                    "-p",
                    str(dagster_port),
                ],
                env=denv,
                cwd=REPO_ROOT,
                start_new_session=True,
            )
        )

    # Each process leads its own process group, and stopping signals the whole group: `dagster
    # dev` runs a webserver, a daemon and code servers of its own, which must not outlive it.
    def signal_groups(signum: int) -> None:
        for p in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signum)

    def stop(*_: object) -> None:
        signal_groups(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    api = f"http://{host}:{port}"
    ok = _wait_for(f"{api}/healthz", 60, procs)
    if ok and dagster_port is not None:
        ok = _wait_for(f"http://{host}:{dagster_port}/server_info", 180, procs)
    if not ok:
        print("joist: a process did not start; stopping", file=sys.stderr)
        stop()
        for p in procs:
            p.wait(timeout=30)
        return 1

    lines = [
        "",
        "Joist is running (Ctrl-C stops everything):",
        f"  API              {api}/api/v1",
        f"  API console      {api}/api/docs",
        f"  OpenAPI          {api}/api/v1/openapi.json",
    ]
    if dagster_port is not None:
        lines.append(f"  Dagster UI       http://{host}:{dagster_port}")
    lines += [
        f"  Data dir         {settings.data_dir}",
        f"  Webhook worker   running; receivers allowed on {env['JOIST_OUTBOUND_ALLOW']}",
        "",
        "Demo API key (builder cascade-homes, every scope):",
        f"  {demo_key}",
        "",
        f"  curl -H 'Authorization: Bearer {demo_key}' {api}/api/v1/api-keys",
        "",
    ]
    print("\n".join(lines), flush=True)

    status = 0
    while True:
        for p in procs:
            code = p.poll()
            if code is not None:
                status = status or code
                stop()
                for q in procs:
                    try:
                        q.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        q.kill()
                time.sleep(1)  # the groups' other members had the same signal; leave none behind
                signal_groups(signal.SIGKILL)
                return 0 if code in (0, -signal.SIGTERM) else status
        time.sleep(0.5)
