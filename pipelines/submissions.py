"""Submissions on disk: the landing folders the service writes, the inbox operators drop files
into, and the status file through which the pipelines answer (see docs/pipelines.md).

::

    <data_dir>/landing/<submission_id>/
        body.<ext>          the feed, as received (the service, or the inbox sensor)
        submission.json     the manifest, renamed into place last (the service, or the inbox sensor)
        status.json         validating → accepted | rejected → published, with the report (pipelines);
                            failed when a run stopped on an error before it was accepted

Nothing here opens the warehouse: sensors call these functions, and a sensor that opened the
DuckDB file would fail (or make a run fail) while a step holds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from contracts.report import ValidationReport
from warehouse.curated import Mode
from warehouse.landing import body_format

__all__ = [
    "FEEDS",
    "INBOX_FEEDS",
    "PUSHED_FEEDS",
    "Manifest",
    "ManifestError",
    "admit_inbox",
    "inbox_dir",
    "landing_dir",
    "manifest_files",
    "mark_failed",
    "mark_pruned",
    "pruned_at",
    "read_manifest",
    "read_status",
    "remove_body",
    "write_manifest",
    "write_status",
]

#: Feeds a supplier or manufacturer pushes through the API.
PUSHED_FEEDS: tuple[str, ...] = ("supplier_catalog", "manufacturer_feed")
#: Feeds an operator drops into ``inbox/cost_data/`` (file names start with the feed's name).
INBOX_FEEDS: tuple[str, ...] = ("cost_items", "location_index")
FEEDS: tuple[str, ...] = (*PUSHED_FEEDS, *INBOX_FEEDS)

MANIFEST = "submission.json"
STATUS = "status.json"
INBOX_SOURCE = "inbox"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_PARTIAL = (".tmp", ".part", ".partial", ".crdownload")


class ManifestError(ValueError):
    """A landing folder's manifest is missing or does not follow the contract."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """One submission's ``submission.json``, checked."""

    submission_id: str
    feed: str
    source: str
    received_at: datetime
    body: Path
    mode: Mode
    terms: tuple[str, ...]
    #: the manufacturer names the organisation may publish under (a manufacturer feed pushed
    #: through the API); None: not checked
    makes: tuple[str, ...] | None = None
    #: the name of the file an operator dropped into the inbox (an inbox submission's)
    file_name: str | None = None

    def record(self) -> dict[str, Any]:
        """The fields :func:`warehouse.curated.record_submission` takes from a manifest."""
        return {
            "submission_id": self.submission_id,
            "feed": self.feed,
            "source": self.source,
            "received_at": self.received_at,
            "mode": self.mode,
            "terms": list(self.terms),
        }


def landing_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "landing"


def inbox_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "inbox" / "cost_data"


def _folder(data_dir: str | Path, submission_id: str) -> Path:
    if not _ID.match(submission_id):
        raise ManifestError(f"{submission_id!r} is not a submission id ([A-Za-z0-9_-]{{1,64}})")
    return landing_dir(data_dir) / submission_id


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise ManifestError("received_at must be an RFC 3339 string")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ManifestError(f"received_at {value!r} is not RFC 3339") from None
    if at.tzinfo is None:
        raise ManifestError(f"received_at {value!r} has no UTC offset")
    return at.astimezone(UTC)


def read_manifest(data_dir: str | Path, submission_id: str) -> Manifest:
    """The checked manifest of ``landing/<submission_id>/``; ManifestError when it breaks the contract."""
    folder = _folder(data_dir, submission_id)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{folder / MANIFEST} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{folder / MANIFEST} is not readable JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError("the manifest must be a JSON object")
    if data.get("submission_id") != submission_id:
        raise ManifestError(f"submission_id {data.get('submission_id')!r} is not the folder name {submission_id!r}")
    feed = data.get("feed")
    if feed not in FEEDS:
        raise ManifestError(f"feed {feed!r} is not one of {', '.join(FEEDS)}")
    source = data.get("source")
    if not isinstance(source, str) or not _SLUG.match(source):
        raise ManifestError(f"source {source!r} is not an organisation slug")
    body = data.get("body")
    if not isinstance(body, str) or not body or "/" in body or "\\" in body or body.startswith("."):
        raise ManifestError(f"body {body!r} must be a file name inside the submission's folder")
    try:
        body_format(body)
    except ValueError as exc:
        raise ManifestError(str(exc)) from None
    mode = data.get("mode", "full")
    if mode not in ("full", "delta"):
        raise ManifestError(f"mode {mode!r} is not full or delta")
    terms = data.get("terms") or []
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ManifestError("terms must be a list of strings")
    makes = data.get("makes")
    if makes is not None and (not isinstance(makes, list) or not all(isinstance(m, str) for m in makes)):
        raise ManifestError("makes must be a list of strings")
    file_name = data.get("file_name")
    if file_name is not None and not isinstance(file_name, str):
        raise ManifestError("file_name must be a string")
    return Manifest(
        submission_id=submission_id,
        feed=str(feed),
        source=source,
        received_at=_parse_time(data.get("received_at")),
        body=folder / body,
        mode=cast(Mode, mode),
        terms=tuple(terms),
        makes=None if makes is None else tuple(makes),
        file_name=file_name,
    )


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``path`` whole or not at all (temporary name in the same folder, then rename)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_manifest(
    data_dir: str | Path,
    *,
    submission_id: str,
    feed: str,
    source: str,
    received_at: datetime,
    body: str,
    mode: Mode = "full",
    terms: Iterable[str] = (),
    makes: Iterable[str] | None = None,
    file_name: str | None = None,
) -> Path:
    """Write a manifest into place, last, as the service does (the inbox sensor and tests use it)."""
    folder = _folder(data_dir, submission_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MANIFEST
    _write_json(
        path,
        {
            "submission_id": submission_id,
            "feed": feed,
            "source": source,
            "received_at": received_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "body": body,
            "mode": mode,
            "terms": list(terms),
            **({} if makes is None else {"makes": list(makes)}),
            **({} if file_name is None else {"file_name": file_name}),
        },
    )
    return path


def write_status(
    data_dir: str | Path,
    submission_id: str,
    status: str,
    *,
    feed: str | None = None,
    rows: int | None = None,
    report: ValidationReport | None = None,
    keep_report: bool = False,
    failure: Mapping[str, Any] | None = None,
) -> None:
    """Replace ``status.json`` of a landing folder; with ``keep_report``, the report already there
    stays. ``failure`` goes with status ``failed`` only (``mark_failed``); any later status drops it."""
    folder = _folder(data_dir, submission_id)
    if not folder.is_dir():  # a submission run without a landing folder (nothing to answer)
        return
    previous = read_status(data_dir, submission_id) or {}
    data: dict[str, Any] = {
        "submission_id": submission_id,
        "feed": feed or previous.get("feed"),
        "status": status,
        "rows": rows if rows is not None else previous.get("rows"),
        "report": report.to_dict() if report is not None else (previous.get("report") if keep_report else None),
        "updated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    if failure is not None:
        data["failure"] = dict(failure)
    if previous.get("pruned_at"):
        data["pruned_at"] = previous["pruned_at"]
    if file_name := previous.get("file_name") or _file_name(folder):
        data["file_name"] = file_name
    _write_json(folder / STATUS, data)


def _file_name(folder: Path) -> str | None:
    """The inbox file name a landing folder's manifest records, if any (its status repeats it, so
    that the operator who dropped several files can tell which report is whose)."""
    try:
        value = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("file_name")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


#: The statuses a failed run may leave a submission in and still be marked ``failed``: none yet
#: (the run stopped before ``landed`` wrote one), on its way to being accepted, or failed by an
#: earlier run (the later failure replaces it). A rejected submission's run fails too, by its
#: blocking checks, and stays rejected; an accepted one is in the curated tables, and the next
#: publish of its product publishes it.
_UNFINISHED = (None, "validating", "failed")


def mark_failed(
    data_dir: str | Path, submission_id: str, *, run_id: str, steps: Iterable[str], failed_at: datetime
) -> bool:
    """Record that the run ``run_id`` of a submission stopped on an error before accepting it:
    status ``failed`` with a ``failure`` (the steps that failed, the run to look up in the Dagster
    UI, when). Whether it was marked: not when the folder or its manifest is gone, the submission
    was pruned, it got further (``_UNFINISHED``), or its status was written after ``failed_at`` (a
    run started since has moved it on). Running it again moves it on from ``failed``."""
    try:
        manifest = read_manifest(data_dir, submission_id)
    except ManifestError:
        return False
    previous = read_status(data_dir, submission_id) or {}
    if previous.get("status") not in _UNFINISHED or previous.get("pruned_at"):
        return False
    try:
        moved_on = _parse_time(previous.get("updated_at")) > failed_at
    except ManifestError:  # no time, or not one: nothing says it moved on
        moved_on = False
    if moved_on:
        return False
    failure = {
        "steps": sorted(set(steps)),
        "run_id": run_id,
        "failed_at": failed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    write_status(data_dir, submission_id, "failed", feed=manifest.feed, keep_report=True, failure=failure)
    return True


def read_status(data_dir: str | Path, submission_id: str) -> dict[str, Any] | None:
    """``status.json`` of a landing folder, or None before the pipelines have looked at it."""
    try:
        data = json.loads((_folder(data_dir, submission_id) / STATUS).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def mark_pruned(data_dir: str | Path, submission_id: str, *, status: str, at: datetime) -> None:
    """Record in ``status.json`` that Joist no longer keeps a finished submission's rows and body
    (``pruned_at``), before either goes: a run of it is then refused, never run on nothing.
    ``status`` is the submission's, for a folder that has no status file. A folder that is gone
    needs no mark (nothing can run it); an earlier mark stays as it was."""
    folder = _folder(data_dir, submission_id)
    if not folder.is_dir():
        return
    data = read_status(data_dir, submission_id) or {"submission_id": submission_id, "status": status}
    if not data.get("pruned_at"):
        data["pruned_at"] = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        _write_json(folder / STATUS, data)


def pruned_at(data_dir: str | Path, submission_id: str) -> str | None:
    """When retention let the submission go (``mark_pruned``), or None."""
    value = (read_status(data_dir, submission_id) or {}).get("pruned_at")
    return str(value) if value else None


def remove_body(data_dir: str | Path, submission_id: str) -> int:
    """Delete a pruned submission's body, leaving its manifest and status; the bytes freed (0 when
    the body or a readable manifest is gone already)."""
    try:
        body = read_manifest(data_dir, submission_id).body
        size = body.stat().st_size
        body.unlink()
    except (ManifestError, FileNotFoundError):
        return 0
    return size


def manifest_files(data_dir: str | Path) -> list[tuple[int, str]]:
    """(ctime in ns, submission id) of every landing folder whose manifest is in place.

    The rename that puts a manifest in place sets its ctime, so a folder shows up here only once
    its body is complete, and the ctime orders folders by arrival.
    """
    root = landing_dir(data_dir)
    if not root.is_dir():
        return []
    found = []
    with os.scandir(root) as entries:
        for entry in entries:
            if not entry.is_dir() or not _ID.match(entry.name):
                continue
            try:
                st = os.stat(os.path.join(entry.path, MANIFEST))
            except FileNotFoundError:
                continue
            found.append((st.st_ctime_ns, entry.name))
    return sorted(found)


def _inbox_feed(name: str) -> str | None:
    lowered = name.lower()
    return next((f for f in INBOX_FEEDS if lowered.startswith(f)), None)


@dataclass(frozen=True, slots=True)
class Inbox:
    """What one look at the inbox did: the files admitted (file name, submission id), and the
    files left there for good because their names say no feed or no known format."""

    admitted: list[tuple[str, str]]
    ignored: list[str]


def admit_inbox(data_dir: str | Path, *, now: datetime, settle_seconds: float = 10.0) -> Inbox:
    """Turn each complete file of ``inbox/cost_data/`` into a landing folder (its manifest records
    the file's name).

    A file is complete when its name does not mark it partial (``.tmp``, ``.part`` …, or a
    leading dot) and it has not changed for ``settle_seconds``. Its submission id hashes its
    name, size, mtime and inode, so a retry after a crash lands it in the same folder (the body is
    linked (or copied) first, the manifest written last, the inbox file removed at the end), while
    the same file dropped again later (``cp -p``: another inode) is a new submission. It is
    received when admitted (``now``), not at its mtime: files apply in the order they are dropped,
    so dropping back an older cost book restores it.
    Files whose names start with no cost-data feed (``cost_items…``, ``location_index…``) or
    whose format is unknown stay where they are.
    """
    inbox = inbox_dir(data_dir)
    inbox.mkdir(parents=True, exist_ok=True)  # there from the sensor's first tick, for operators to find
    admitted: list[tuple[str, str]] = []
    ignored: list[str] = []
    for path in sorted(inbox.iterdir()):
        name = path.name
        if name.startswith(".") or name.lower().endswith(_PARTIAL) or not path.is_file():
            continue
        feed = _inbox_feed(name)
        try:
            fmt = body_format(name)
        except ValueError:
            fmt = None
        if feed is None or fmt is None:
            ignored.append(name)
            continue
        st = path.stat()
        if now.timestamp() - st.st_mtime < settle_seconds:
            continue
        digest = hashlib.sha256(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}".encode()).hexdigest()[:16]
        submission_id = f"inbox-{feed}-{digest}"
        folder = _folder(data_dir, submission_id)
        if not (folder / MANIFEST).exists():
            folder.mkdir(parents=True, exist_ok=True)
            body = f"body.{fmt}" + (".gz" if name.lower().endswith(".gz") else "")
            (folder / body).unlink(missing_ok=True)
            try:
                os.link(path, folder / body)
            except OSError:  # another file system, or links not allowed
                shutil.copyfile(path, folder / body)
            write_manifest(
                data_dir,
                submission_id=submission_id,
                feed=feed,
                source=INBOX_SOURCE,
                received_at=now,
                body=body,
                file_name=name,
            )
        path.unlink(missing_ok=True)
        admitted.append((name, submission_id))
    return Inbox(admitted, ignored)
