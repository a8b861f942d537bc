"""The service's side of the landing area (docs/pipelines.md): pushed bodies in, status out.

A push is streamed into ``<data_dir>/landing/.incoming/<id>/body.<ext>[.gz]`` in bounded
chunks (hashed, counted, and for gzip decompressed on the fly to prove the stream is whole).
Once it is complete and recorded, the folder is renamed to ``<data_dir>/landing/<id>/`` and
the manifest ``submission.json`` is written in it last (temporary name, renamed): the sensor
picks up only folders whose manifest exists. A refused or abandoned upload leaves nothing under
``landing/``; a crash mid-upload leaves a folder under ``.incoming/`` (not a submission id, so
the sensor never looks there), which ``sweep_incoming`` clears on the next start.

The pipelines report back by writing ``landing/<id>/status.json`` (temporary name, renamed);
``read_status`` / ``read_statuses`` read it. The service never opens the warehouse. Each status
file is read again only when its ``stat`` changes (see ``_StatusCache``), so following many
submissions costs a ``stat`` each, not a read and a decode.

Errors (all 4xx, each a ``JoistError``): ``UnsupportedMediaType`` (415) for a Content-Type or
Content-Encoding the push API does not take, ``BadBody`` (400) for an empty or broken gzip body,
``PayloadTooLarge`` (413) past the cap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import anyio.to_thread
import msgspec

from service.errors import FieldError, InvalidInput, PayloadTooLarge, UnsupportedMediaType

__all__ = [
    "BadBody",
    "BodyKind",
    "Landing",
    "Received",
    "StatusFile",
    "UnsupportedMediaType",
    "body_kind",
]

log = logging.getLogger("joist.feeds")

_FORMATS: dict[str, Literal["csv", "ndjson", "json"]] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/json": "json",
}
_WRITE_SIZE = 1_048_576
_INFLATE_STEP = 1_048_576  # decompressed bytes per step of the gzip check: bounded whatever the ratio
_STALE_INCOMING_SECONDS = 24 * 3600
_STATUS_CACHE_ENTRIES = 20_000
_RACY_SECONDS = 2.0


class BadBody(InvalidInput):
    """The body cannot be a feed: empty, or a gzip stream that is broken or cut short."""

    slug = "bad-feed-body"
    title = "The feed body cannot be accepted"

    @classmethod
    def because(cls, detail: str) -> BadBody:
        return cls(detail, errors=[FieldError("body", detail)])


@dataclass(frozen=True, slots=True)
class BodyKind:
    fmt: Literal["csv", "ndjson", "json"]
    content_type: str
    gzip: bool

    @property
    def body_name(self) -> str:
        return f"body.{self.fmt}" + (".gz" if self.gzip else "")


def body_kind(content_type: str | None, content_encoding: str | None) -> BodyKind:
    """What a push's headers declare; 415 for anything the push API does not take."""
    accepted = "text/csv, application/x-ndjson or application/json"
    if not content_type:
        raise UnsupportedMediaType(f"send a Content-Type: {accepted}", extensions={"accepted": sorted(_FORMATS)})
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media not in _FORMATS:
        raise UnsupportedMediaType(f"a feed is {accepted}, not {media!r}", extensions={"accepted": sorted(_FORMATS)})
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8", "us-ascii"):
            raise UnsupportedMediaType(f"feeds are UTF-8; charset {value.strip()!r} is not accepted")
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if codings not in ([], ["gzip"], ["x-gzip"]):
        raise UnsupportedMediaType(
            f"Content-Encoding {content_encoding!r} is not accepted; send gzip or none",
            headers={"Accept-Encoding": "gzip"},
        )
    return BodyKind(_FORMATS[media], media, bool(codings))


class _GzipCheck:
    """Inflate a gzip stream as it arrives, keeping nothing: proves it is gzip and whole."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(wbits=31)
        self._in_member = False
        self.members = 0
        self.decoded = 0

    def feed(self, data: bytes) -> None:
        while data:
            if not self._in_member and not data.strip(b"\0"):
                return  # zero padding after a member, as some writers add
            self._in_member = True
            try:
                out = self._inflater.decompress(data, _INFLATE_STEP)
            except zlib.error as exc:
                raise BadBody.because(f"Content-Encoding is gzip but the body is not valid gzip ({exc})") from None
            self.decoded += len(out)
            data = self._inflater.unconsumed_tail
            if self._inflater.eof:  # one member done; another may follow
                data = self._inflater.unused_data + data
                self._inflater = zlib.decompressobj(wbits=31)
                self._in_member = False
                self.members += 1

    def finish(self) -> None:
        if self._in_member or self.members == 0:
            raise BadBody.because("the gzip body is truncated: it ends inside a compressed stream")


@dataclass(frozen=True, slots=True)
class Received:
    submission_id: str
    kind: BodyKind
    size: int  # bytes as sent
    decoded_size: int  # bytes once gunzipped (= size without gzip)
    sha256: str  # of the bytes as sent


class _Sink:
    """The body file being written, with its hash and gzip check (used from worker threads)."""

    def __init__(self, path: Path, kind: BodyKind) -> None:
        self.fh: BinaryIO = path.open("xb")
        self.kind = kind
        self.digest = hashlib.sha256()
        self.gzip = _GzipCheck() if kind.gzip else None
        self.size = 0

    @property
    def decoded(self) -> int:
        return self.gzip.decoded if self.gzip is not None else self.size

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self.gzip is not None:
            self.gzip.feed(data)
        self.fh.write(data)

    def finish(self) -> None:
        if self.gzip is not None:
            self.gzip.finish()
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


class StatusFile(msgspec.Struct):
    """``landing/<id>/status.json`` as the pipelines write it (docs/pipelines.md)."""

    status: Literal["validating", "accepted", "rejected", "published", "failed"]
    submission_id: str | None = None
    rows: int | None = None
    report: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    updated_at: str | None = None


_Signature = tuple[int, int, int, int]


class _StatusCache:
    """Status files already read, by path, with the ``stat`` of the version read (per process).

    The pipelines never edit ``status.json`` in place: they rename a new file over it, which
    gives it a new inode and times. So a file whose inode, size, mtime and ctime are those of
    the version read still says the same. A file changed less than ``_RACY_SECONDS`` before it
    was read is not kept (two writes within one timestamp tick, with a reused inode and the same
    size, could look alike: git's "racy" rule), nor is anything past ``_STATUS_CACHE_ENTRIES``
    files (the least recently used go first).
    """

    def __init__(self, entries: int) -> None:
        self._entries: OrderedDict[Path, tuple[_Signature, StatusFile | None]] = OrderedDict()
        self._limit = entries
        self._lock = threading.Lock()

    def get(self, path: Path, signature: _Signature) -> tuple[bool, StatusFile | None]:
        with self._lock:
            found = self._entries.get(path)
            if found is None or found[0] != signature:
                return False, None
            self._entries.move_to_end(path)
            return True, found[1]

    def put(self, path: Path, st: os.stat_result, status: StatusFile | None) -> None:
        if time.time() - st.st_mtime < _RACY_SECONDS:
            return
        with self._lock:
            self._entries[path] = (_signature(st), status)
            self._entries.move_to_end(path)
            while len(self._entries) > self._limit:
                self._entries.popitem(last=False)


def _signature(st: os.stat_result) -> _Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


_STATUS_CACHE = _StatusCache(_STATUS_CACHE_ENTRIES)


class Landing:
    """``<data_dir>/landing``: where pushed bodies go and status comes back."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "landing"
        self.incoming = self.root / ".incoming"

    def folder(self, submission_id: str) -> Path:
        return self.root / submission_id

    async def receive(self, submission_id: str, kind: BodyKind, chunks: AsyncIterator[bytes], limit: int) -> Received:
        """Stream ``chunks`` into the submission's incoming folder; nothing is left behind on error."""
        folder = self.incoming / submission_id
        sink = await anyio.to_thread.run_sync(self._open, folder, kind)
        size = 0
        pending = bytearray()
        try:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"the feed body is larger than the {limit}-byte limit (JOIST_MAX_FEED_BYTES)")
                pending += chunk
                if len(pending) >= _WRITE_SIZE:
                    await anyio.to_thread.run_sync(sink.write, bytes(pending))
                    pending.clear()
            await anyio.to_thread.run_sync(sink.write, bytes(pending))
            pending.clear()
            await anyio.to_thread.run_sync(sink.finish)
            if size == 0 or sink.decoded == 0:
                raise BadBody.because("the body is empty: send the feed's records")
        except BaseException:
            sink.fh.close()
            await anyio.to_thread.run_sync(self._remove, folder)
            raise
        return Received(submission_id, kind, size, sink.decoded, sink.digest.hexdigest())

    def _open(self, folder: Path, kind: BodyKind) -> _Sink:
        folder.mkdir(parents=True)
        return _Sink(folder / kind.body_name, kind)

    @staticmethod
    def _remove(folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def install(self, received: Received, manifest: Mapping[str, Any]) -> Path:
        """Move the folder (body only) into ``landing/``, then put the manifest in place last.

        The manifest's rename is the moment the sensor sees the submission (it orders and
        remembers folders by the manifest's ctime), so it happens in the final folder.
        """
        final = self.folder(received.submission_id)
        os.rename(self.incoming / received.submission_id, final)
        tmp = final / ".submission.json.tmp"
        with tmp.open("wb") as fh:
            fh.write(json.dumps(manifest, indent=2).encode() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final / "submission.json")
        _fsync_dir(final)
        return final

    def discard(self, submission_id: str) -> None:
        """Remove every trace of a submission that was not recorded."""
        self._remove(self.incoming / submission_id)
        self._remove(self.folder(submission_id))

    def read_status(self, submission_id: str) -> StatusFile | None:
        """What the pipelines last reported, or None (nothing yet, or a file we cannot read)."""
        path = self.folder(submission_id) / "status.json"
        try:
            known, status = _STATUS_CACHE.get(path, _signature(path.stat()))
            if known:
                return status
            with path.open("rb") as fh:
                st = os.fstat(fh.fileno())  # the version read, whatever replaced it since
                raw = fh.read()
        except FileNotFoundError:
            return None
        except OSError:
            log.exception("cannot read %s", path)
            return None
        try:
            status = msgspec.json.decode(raw, type=StatusFile)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            log.warning("ignoring malformed %s: %s", path, exc)
            status = None
        _STATUS_CACHE.put(path, st, status)
        return status

    def read_statuses(self, submission_ids: Iterable[str]) -> dict[str, StatusFile]:
        """``read_status`` of each submission that has a readable status file (one worker-thread call)."""
        found = {}
        for submission_id in submission_ids:
            status = self.read_status(submission_id)
            if status is not None:
                found[submission_id] = status
        return found

    def sweep_incoming(self) -> int:
        """Delete incoming folders left by a crashed upload a day or more ago (run at start)."""
        if not self.incoming.is_dir():
            return 0
        cutoff = time.time() - _STALE_INCOMING_SECONDS
        swept = 0
        for folder in self.incoming.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    self._remove(folder)
                    swept += 1
            except FileNotFoundError:
                continue
        return swept


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
