"""``joist up``: the embedded default's processes (API, webhook worker, Dagster webserver and
daemon) in one command, with URLs and the demo key printed once everything answers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from service.settings import REPO_ROOT, Settings

__all__ = ["run_all"]


#: How long ``joist up`` waits for each part to answer before it gives up (Dagster loads its code
#: servers first, which takes minutes on a small, busy machine).
API_START_SECONDS = 60
DAGSTER_START_SECONDS = 600


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
    # Run monitoring frees the pool slots a run still holds once it has ended (a run worker that
    # was killed leaves them claimed), and fails runs that never start or never finish canceling.
    (home / "dagster.yaml").write_text(
        "telemetry:\n  enabled: false\n"
        "concurrency:\n  runs:\n    max_concurrent_runs: 4\n"
        "    tag_concurrency_limits:\n"
        "      - key: joist/source\n        value:\n          applyLimitPerUniqueValue: true\n        limit: 1\n"
        "  pools:\n    default_limit: 1\n"
        "run_monitoring:\n  enabled: true\n  start_timeout_seconds: 180\n  cancel_timeout_seconds: 180\n"
        "  max_resume_run_attempts: 0\n  poll_interval_seconds: 30\n  free_slots_after_run_end_seconds: 30\n"
    )
    return home


def _recover_runs(env: dict[str, str]) -> None:
    """Fail the runs a previous ``joist up`` left in flight (``python -m pipelines recover``):
    their workers stopped with it, and Dagster's default launcher cannot tell, so each would stay
    STARTED holding the warehouse pool's slot, and every later run would wait behind it."""
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "recover"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        print(f"joist: a run left unfinished by an earlier stop is marked failed: {line.split()[-1]}", file=sys.stderr)
    if done.returncode != 0:
        print(f"joist: could not look for unfinished runs: {done.stderr.strip()[-500:]}", file=sys.stderr)


def _forward_stderr(stream: IO[bytes], processes: _Processes) -> None:
    """Copy ``dagster dev``'s stderr to Joist's. Its webserver ends even a clean shutdown with
    click's "Aborted!" (after a blank line), which reads like a failure; once Joist is stopping
    those lines are dropped."""
    for line in iter(stream.readline, b""):
        if processes.stopping and line.strip() in (b"", b"Aborted!"):
            continue
        sys.stderr.buffer.write(line)
        sys.stderr.buffer.flush()


class _Processes:
    """The child processes of ``joist up``.

    Each leads its own process group. Stopping sends SIGTERM to each leader once: `dagster dev`
    shuts its webserver and daemon down itself (a second SIGTERM would cut that short, and a
    signal of their own makes them print "Aborted!"); once the leaders are gone, whatever is left
    in their groups is killed.

    ``stop`` runs in signal handlers, and a second signal can interrupt the first one's handler
    (``kill -TERM`` to ``uv run``'s group: uv forwards it, so Joist gets two at once). So it takes
    no lock: a ``threading.Event`` here deadlocked, the second handler waiting for the lock the
    first held, with no child signalled.
    """

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stopping = False
        self._signalled: set[int] = set()
        self._forwarders: list[threading.Thread] = []

    def start(self, args: list[str], env: dict[str, str], *, filter_stderr: bool = False) -> None:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            args,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
            stderr=subprocess.PIPE if filter_stderr else None,
        )
        self.procs.append(proc)
        if proc.stderr is not None:
            forwarder = threading.Thread(target=_forward_stderr, args=(proc.stderr, self), daemon=True)
            self._forwarders.append(forwarder)
            forwarder.start()
        if self.stopping:  # a signal came while this one was starting
            self.stop()

    def stop(self) -> None:
        self.stopping = True
        for p in list(self.procs):
            if p.pid not in self._signalled:
                self._signalled.add(p.pid)
                with contextlib.suppress(ProcessLookupError):
                    p.terminate()

    def stop_all(self) -> None:
        """Ask every process to stop, give each 30 s, then leave nothing of their groups behind."""
        self.stop()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for p in self.procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p.pid, signal.SIGKILL)
        for t in self._forwarders:
            t.join(timeout=5)

    def first_exit(self) -> int | None:
        return next((code for p in self.procs if (code := p.poll()) is not None), None)


def _banner(settings: Settings, api: str, dagster_url: str | None, outbound_allow: str, demo_key: str) -> str:
    lines = [
        "",
        "Joist is running (Ctrl-C stops everything):",
        f"  API              {api}/api/v1",
        f"  API console      {api}/api/docs",
        f"  OpenAPI          {api}/api/v1/openapi.json",
    ]
    if dagster_url is not None:
        lines.append(f"  Dagster UI       {dagster_url}")
    lines += [
        f"  Data dir         {settings.data_dir}",
        f"  Webhook worker   running; receivers allowed on {outbound_allow}",
        "",
        "Demo API key (builder cascade-homes, every scope):",
        f"  {demo_key}",
        "",
        f"  curl -H 'Authorization: Bearer {demo_key}' {api}/api/v1/api-keys",
        "",
    ]
    return "\n".join(lines)


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
    children = _Processes()
    interrupted: list[int] = []  # the signal that asked Joist to stop, once one has

    # in place before the first process starts, so a Ctrl-C at any moment stops what has started
    def on_signal(signum: int, _frame: object) -> None:
        interrupted.append(signum)
        children.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    children.start([*joist, "serve", "--host", host, "--port", str(port)], env)
    children.start([*joist, "worker"], env)
    dagster_url = None if dagster_port is None else f"http://{host}:{dagster_port}"
    if dagster_port is not None and not interrupted:
        dagster = [sys.executable, "-m", "dagster", "dev", "-w", str(REPO_ROOT / "workspace.yaml")]
        denv = {**env, "DAGSTER_HOME": str(_dagster_home(settings))}
        _recover_runs(denv)
        children.start([*dagster, "-h", host, "-p", str(dagster_port)], denv, filter_stderr=True)

    api = f"http://{host}:{port}"
    waits = [(f"{api}/healthz", "the API", API_START_SECONDS)]
    if dagster_url is not None:
        waits.append((f"{dagster_url}/server_info", "the Dagster UI", DAGSTER_START_SECONDS))
    ok = True
    for url, what, seconds in waits:
        ok = not interrupted and _wait_for(url, seconds, children.procs)
        if not ok:
            if not interrupted:
                exited = any(p.poll() is not None for p in children.procs)
                why = "a process exited" if exited else f"no answer from {url} within {seconds} s"
                print(f"joist: {what} did not start ({why}); stopping", file=sys.stderr)
            break
    if not ok:
        children.stop_all()
        return 128 + interrupted[0] if interrupted else 1

    print(_banner(settings, api, dagster_url, env["JOIST_OUTBOUND_ALLOW"], demo_key), flush=True)
    while (code := children.first_exit()) is None:
        time.sleep(0.5)
    children.stop_all()
    return 0 if code in (0, -signal.SIGTERM) else code
