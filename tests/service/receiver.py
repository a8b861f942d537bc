"""A real HTTP receiver for webhook tests, on a loopback port, that records what it got.

The path picks the behaviour: ``/ok`` answers 204; ``/status/<n>`` answers n (with
``?retry_after=`` a Retry-After header); ``/redirect`` answers 302; ``/hang`` waits longer than
any test timeout; ``/huge`` streams megabytes; ``/close`` promises a body and hangs up halfway;
``/slow/<seconds>`` answers 200 after a pause.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

__all__ = ["Received", "Receiver"]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    finished_at: float


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    thread: threading.Thread
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: dict[str, int] = field(default_factory=dict)
    overlaps: list[str] = field(default_factory=list)  # webhook-ids seen twice at the same moment
    path_in_flight: dict[str, int] = field(default_factory=dict)
    path_peak: dict[str, int] = field(default_factory=dict)  # most requests at once, per path

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def for_path(self, path: str, settle: float = 10.0) -> list[Received]:
        """The requests to ``path`` answered so far. A request is recorded just after its answer
        is sent, so a caller that has the answer may get here first: wait (up to ``settle``
        seconds) until no request to ``path`` is in the handler."""
        deadline = time.monotonic() + settle
        while True:
            with self.lock:
                if not self.path_in_flight.get(path) or time.monotonic() >= deadline:
                    return [r for r in self.received if r.path == path]
            time.sleep(0.005)

    def wait_for(self, path: str, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.for_path(path)
            if len(got) >= count:
                return got
            time.sleep(0.01)
        raise AssertionError(f"{path}: expected {count} requests, got {len(self.for_path(path))}")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    @classmethod
    def start(cls) -> Receiver:
        holder: dict[str, Receiver] = {}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                receiver = holder["r"]
                started = time.monotonic()
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                message_id = self.headers.get("webhook-id", "")
                with receiver.lock:
                    if receiver.in_flight.get(message_id):
                        receiver.overlaps.append(message_id)
                    receiver.in_flight[message_id] = receiver.in_flight.get(message_id, 0) + 1
                    now = receiver.path_in_flight[parts.path] = receiver.path_in_flight.get(parts.path, 0) + 1
                    receiver.path_peak[parts.path] = max(now, receiver.path_peak.get(parts.path, 0))
                try:
                    self._answer(parts.path, parse_qs(parts.query))
                finally:
                    with receiver.lock:
                        receiver.in_flight[message_id] -= 1
                        receiver.path_in_flight[parts.path] -= 1
                        receiver.received.append(
                            Received(
                                parts.path,
                                {k.lower(): v for k, v in self.headers.items()},
                                body,
                                started,
                                time.monotonic(),
                            )
                        )

            def _answer(self, path: str, query: dict[str, list[str]]) -> None:
                if path == "/ok":
                    self._send(204)
                elif path.startswith("/status/"):
                    headers = {"retry-after": query["retry_after"][0]} if "retry_after" in query else {}
                    self._send(int(path.rsplit("/", 1)[1]), b"receiver says no", headers)
                elif path == "/redirect":
                    self._send(302, headers={"location": "http://127.0.0.1:9/elsewhere"})
                elif path.startswith("/slow/"):
                    time.sleep(float(path.rsplit("/", 1)[1]))
                    self._send(200, b"ok")
                elif path == "/hang":
                    time.sleep(30)
                    self._send(200)
                elif path == "/huge":
                    self.send_response(200)
                    self.send_header("content-length", str(8 * 1024 * 1024))
                    self.end_headers()
                    chunk = b"x" * 65536
                    try:
                        for _ in range(128):
                            self.wfile.write(chunk)
                    except OSError:
                        pass  # the worker stopped reading, as it should
                elif path == "/close":
                    self.send_response(200)
                    self.send_header("content-length", "1000")
                    self.end_headers()
                    self.wfile.write(b"partial")
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                else:
                    self._send(404)

            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default 5 drops connections a busy worker opens at once

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        receiver = cls(server=server, thread=thread)
        holder["r"] = receiver
        return receiver
