"""Document content on disk: ``<data_dir>/documents/<builder id>/<document id>``.

An upload is streamed into a temporary file in the same directory (hashed and counted on the
way, refused past the size cap), then renamed over the document's file inside the transaction
that records its size and hash, after the row's version check: so the file a reader finds is
always whole, and two uploads racing for one document cannot both install. If that transaction
then fails, the previous file is put back. A crash can leave only hidden ``.upload-*`` or
``.previous-*`` files behind, never a half-written document.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread

from service.errors import PayloadTooLarge

__all__ = ["Upload", "path_of", "read_chunks", "receive", "size_of"]

_WRITE_SIZE = 1_048_576


def path_of(data_dir: Path, builder_id: uuid.UUID, document_id: uuid.UUID) -> Path:
    return data_dir / "documents" / str(builder_id) / str(document_id)


class Upload:
    """A received body in a temporary file beside its destination."""

    def __init__(self, temporary: Path, destination: Path, size: int, sha256: str) -> None:
        self.temporary = temporary
        self.destination = destination
        self.size = size
        self.sha256 = sha256
        self._installed = False
        self._previous: Path | None = None

    def install(self) -> None:
        """Rename the upload over the document's file, keeping the old one until ``keep``."""
        if self.destination.exists():
            self._previous = self.destination.with_name(f".previous-{uuid.uuid4().hex}")
            os.link(self.destination, self._previous)
        os.replace(self.temporary, self.destination)
        self._installed = True

    def keep(self) -> None:
        """The transaction committed: forget the previous file."""
        if self._previous is not None:
            self._previous.unlink(missing_ok=True)

    def undo(self) -> None:
        """The transaction failed: put the previous file back (or none), drop the upload."""
        if self._installed:
            if self._previous is not None:
                os.replace(self._previous, self.destination)
            else:
                self.destination.unlink(missing_ok=True)
        self.temporary.unlink(missing_ok=True)


def _open_temporary(directory: Path) -> tuple[Path, BinaryIO]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".upload-", dir=directory)
    return Path(name), os.fdopen(fd, "wb")


def _write(fh: BinaryIO, digest: hashlib._Hash, data: bytes) -> None:
    digest.update(data)
    fh.write(data)


def _finish(fh: BinaryIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


async def receive(body: AsyncIterator[bytes], destination: Path, limit: int) -> Upload:
    """Stream ``body`` into a temporary file beside ``destination``; 413 past ``limit`` bytes."""
    temporary, fh = await anyio.to_thread.run_sync(_open_temporary, destination.parent)
    digest = hashlib.sha256()
    size = 0
    pending = bytearray()
    try:
        async for chunk in body:
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"the document is larger than the {limit}-byte limit")
            pending += chunk
            if len(pending) >= _WRITE_SIZE:
                await anyio.to_thread.run_sync(_write, fh, digest, bytes(pending))
                pending.clear()
        await anyio.to_thread.run_sync(_write, fh, digest, bytes(pending))
        await anyio.to_thread.run_sync(_finish, fh)
    except BaseException:
        fh.close()
        temporary.unlink(missing_ok=True)
        raise
    return Upload(temporary, destination, size, digest.hexdigest())


def _read_all(path: Path) -> tuple[BinaryIO, int]:
    fh = path.open("rb")
    return fh, os.fstat(fh.fileno()).st_size


async def read_chunks(path: Path) -> tuple[AsyncIterator[bytes], int] | None:
    """The file's content as chunks, with its size, from one open handle (a concurrent
    replacement cannot mix two versions); None when there is no file."""
    try:
        fh, size = await anyio.to_thread.run_sync(_read_all, path)
    except FileNotFoundError:
        return None

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while data := await anyio.to_thread.run_sync(fh.read, _WRITE_SIZE):
                yield data
        finally:
            fh.close()

    return chunks(), size


async def size_of(path: Path) -> int | None:
    """The file's size without opening it (what a HEAD request needs); None when there is no file."""
    try:
        stat = await anyio.to_thread.run_sync(path.stat)
    except FileNotFoundError:
        return None
    return stat.st_size
