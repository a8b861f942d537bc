"""A fast webhook receiver for the benchmarks: a bare ASGI app under uvicorn that answers 204
and counts. Under ``/lat/`` it also keeps each message's commit-to-receipt latency (receipt
time minus the event's ``timestamp``). ``GET /stats`` returns the count so far and the
latencies since the last read; ``GET /reset`` sets the count back to zero."""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

__all__ = ["app"]

_stats: dict[str, Any] = {"count": 0, "latencies": []}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if scope["method"] == "GET":
        if scope["path"] == "/reset":
            _stats["count"] = 0
        payload = json.dumps(_stats).encode()
        _stats["latencies"] = []
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
        return
    now = time.time()
    _stats["count"] += 1
    if scope["path"].startswith("/lat/"):
        stamp = json.loads(body)["timestamp"]
        _stats["latencies"].append(now - datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
