"""Work the API process does on its own while it runs, beside the requests it serves."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress

import anyio.to_thread

__all__ = ["every"]

log = logging.getLogger("joist.background")


@asynccontextmanager
async def every(seconds: float, work: Callable[[], object], *, what: str) -> AsyncIterator[None]:
    """While the context is open, run the blocking ``work`` in a worker thread at once and then
    every ``seconds``. A failure is logged (as ``what`` failing) and tried again next time; it
    never stops the app. On exit the loop ends once a call in progress has returned, so nothing
    ``work`` touches is closed under it."""

    async def loop() -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(work)
            except Exception:
                log.exception("%s failed", what)
            await asyncio.sleep(seconds)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
