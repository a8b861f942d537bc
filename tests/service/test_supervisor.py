"""``joist up``: Ctrl-C stops every process it started, at any moment, and says nothing alarming."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, free_port

pytestmark = pytest.mark.slow


def _left_behind(data_dir: Path, up_pid: int) -> list[int]:
    """Processes other than ``joist up`` itself that run on ``data_dir`` (its children inherit it)."""
    marker = f"JOIST_DATA_DIR={data_dir}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == up_pid:
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _wait_none_left(data_dir: Path, up_pid: int) -> list[int]:
    deadline = time.monotonic() + 10
    while (left := _left_behind(data_dir, up_pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


class _Up:
    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.data_dir = tmp_path / "var"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JOIST_", "DAGSTER_"))}
        env.update(JOIST_DATA_DIR=str(self.data_dir), JOIST_DATABASE_URL=f"sqlite:///{tmp_path / 'joist.db'}")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "up", "--port", str(free_port()), *args],
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self.running = threading.Event()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: object, lines: list[str]) -> None:
        for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
            line = raw.decode(errors="replace")
            lines.append(line)
            if "Joist is running" in line:
                self.running.set()

    def interrupt_and_wait(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=120)
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in _left_behind(self.data_dir, self.proc.pid):
            os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def test_ctrl_c_stops_the_api_the_worker_and_dagster(tmp_path: Path) -> None:
    up = _Up(tmp_path, "--dagster-port", str(free_port()))
    try:
        assert up.running.wait(timeout=240), "".join(up.err[-20:])
        assert len(_left_behind(up.data_dir, up.proc.pid)) >= 3  # API, worker, dagster dev and its own
        code = up.interrupt_and_wait()
        assert code == 0, "".join(up.err[-20:])
        assert _wait_none_left(up.data_dir, up.proc.pid) == []
        stderr = "".join(up.err)
        # Dagster shut down cleanly, and its webserver's "Aborted!" is not passed on
        assert "Shutting down Dagster services" in "".join(up.out) + stderr
        assert "Aborted!" not in stderr and "Traceback" not in stderr
    finally:
        up.kill()


def test_ctrl_c_while_starting_leaves_nothing_running(tmp_path: Path) -> None:
    up = _Up(tmp_path, "--no-dagster")
    try:
        deadline = time.monotonic() + 120
        while not _left_behind(up.data_dir, up.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _left_behind(up.data_dir, up.proc.pid), "joist up started no process"
        code = up.interrupt_and_wait()
        assert not up.running.is_set()
        assert code == 128 + signal.SIGINT
        assert _wait_none_left(up.data_dir, up.proc.pid) == []
        stderr = "".join(up.err)
        assert "did not start" not in stderr and "Aborted!" not in stderr and "Traceback" not in stderr
    finally:
        up.kill()
