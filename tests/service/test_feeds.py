"""The push API: feeds streamed to the landing area in the layout the pipelines read, bad input
refused with a clear 4xx and no half-written folder, Idempotency-Key honoured, and the status and
validation report the pipelines write back shown on the submission."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import msgspec
import pytest
from sqlalchemy import select

from contracts.samples import write_supplier_csv
from pipelines.submissions import mark_failed
from service.db.database import Database
from service.feeds.landing import Landing, StatusFile
from service.feeds.repositories import FeedSubmissionRepository
from service.feeds.services import apply_statuses
from service.http.models import IdempotencyRecord
from service.settings import Settings
from tests.conftest import REPO_ROOT, LiveServer, free_port
from tests.helpers import assert_problem
from tests.service.feed_helpers import Org, make_org, offer, play_pipeline, write_csv, write_status

PUSH = "/api/v1/suppliers/catalog"
CSV = (
    b"supplier_sku,name,order_uom,unit_price,currency,price_region\n"
    b"A1,2x4 stud,EA,4.10,USD,*\nA2,2x6 stud,EA,6.20,USD,802\n"
)


def _landing(settings: Settings) -> Path:
    return settings.data_dir / "landing"


def _folders(settings: Settings) -> set[str]:
    root = _landing(settings)
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


def _incoming(settings: Settings) -> list[Path]:
    root = _landing(settings) / ".incoming"
    return list(root.iterdir()) if root.is_dir() else []


def test_a_csv_push_lands_whole_with_its_manifest(client: httpx.Client, db: Database, settings: Settings) -> None:
    org = make_org(db, terms=["no-price-comparison"])
    resp = client.post(PUSH, content=CSV, headers=org.auth | {"Content-Type": "text/csv; charset=utf-8"})
    assert resp.status_code == 202, resp.text
    sub = resp.json()
    assert resp.headers["location"] == f"/api/v1/feed-submissions/{sub['id']}"
    assert (sub["status"], sub["feed"], sub["source"], sub["mode"]) == (
        "received",
        "supplier_catalog",
        org.slug,
        "full",
    )
    assert (sub["size_bytes"], sub["report"], sub["rows"]) == (len(CSV), None, None)
    folder = _landing(settings) / sub["id"]
    assert sorted(p.name for p in folder.iterdir()) == ["body.csv", "submission.json"]
    assert (folder / "body.csv").read_bytes() == CSV
    manifest = json.loads((folder / "submission.json").read_text())
    assert manifest == {
        "submission_id": sub["id"],
        "feed": "supplier_catalog",
        "source": org.slug,
        "received_at": manifest["received_at"],
        "body": "body.csv",
        "mode": "full",
        "terms": ["no-price-comparison"],
        "size_bytes": len(CSV),
        "sha256": sub["sha256"],
    }
    assert manifest["received_at"].endswith("Z")
    fetched = client.get(resp.headers["location"], headers=org.auth)
    assert fetched.status_code == 200 and fetched.json() == sub


def test_gzip_ndjson_and_json_bodies_keep_their_encoding(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    org = make_org(db, "manufacturer")
    records = [
        {"manufacturer": "Mueller", "model_number": "M-1", "name": "Pipe", "list_price": 12.5, "currency": "USD"}
    ]
    ndjson = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    resp = client.post(
        "/api/v1/manufacturers/feed?mode=full",
        content=ndjson,
        headers=org.auth | {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"},
    )
    assert resp.status_code == 202, resp.text
    assert (resp.json()["content_encoding"], resp.json()["mode"]) == ("gzip", "full")
    assert (_landing(settings) / resp.json()["id"] / "body.ndjson.gz").read_bytes() == ndjson
    as_json = client.post("/api/v1/manufacturers/feed", json={"records": records}, headers=org.auth)
    assert as_json.status_code == 202, as_json.text
    assert as_json.json()["mode"] == "delta"  # a manufacturer feed updates the models it lists by default
    body = json.loads((_landing(settings) / as_json.json()["id"] / "body.json").read_text())
    assert body == {"records": records}


@pytest.mark.parametrize(
    ("headers", "content", "status", "slug"),
    [
        ({"Content-Type": "application/xml"}, CSV, 415, "unsupported-media-type"),
        ({}, CSV, 415, "unsupported-media-type"),
        ({"Content-Type": "text/csv; charset=latin-1"}, CSV, 415, "unsupported-media-type"),
        ({"Content-Type": "text/csv", "Content-Encoding": "br"}, CSV, 415, "unsupported-media-type"),
        ({"Content-Type": "text/csv"}, b"", 400, "bad-feed-body"),
        ({"Content-Type": "text/csv", "Content-Encoding": "gzip"}, CSV, 400, "bad-feed-body"),
        ({"Content-Type": "text/csv", "Content-Encoding": "gzip"}, gzip.compress(CSV * 50)[:-30], 400, "bad-feed-body"),
        ({"Content-Type": "text/csv", "Content-Encoding": "gzip"}, gzip.compress(b""), 400, "bad-feed-body"),
    ],
    ids=["xml", "no-type", "latin-1", "brotli", "empty", "not-gzip", "truncated-gzip", "gzip-of-nothing"],
)
def test_bad_bodies_are_clear_4xx_and_leave_nothing(
    client: httpx.Client,
    db: Database,
    settings: Settings,
    headers: dict[str, str],
    content: bytes,
    status: int,
    slug: str,
) -> None:
    org = make_org(db)
    before = _folders(settings)
    body = assert_problem(client.post(PUSH, content=content, headers=org.auth | headers), status)
    assert body["type"].endswith(f":{slug}"), body
    assert _folders(settings) == before
    assert _incoming(settings) == []
    assert client.get("/api/v1/feed-submissions", headers=org.auth).json()["data"] == []


def test_over_the_cap_is_413_announced_or_streamed(
    make_server: Callable[..., LiveServer], db: Database, settings: Settings
) -> None:
    live = make_server(max_feed_bytes=10_000)
    org = make_org(db)
    before = _folders(settings)
    with live.client() as client:
        big = CSV * 200  # ~20 kB
        announced = client.post(PUSH, content=big, headers=org.auth | {"Content-Type": "text/csv"})
        assert "10000-byte limit" in assert_problem(announced, 413)["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: only counting can catch it
            for _ in range(40):
                yield CSV * 5

        streamed = client.post(PUSH, content=chunks(), headers=org.auth | {"Content-Type": "text/csv"})
        assert_problem(streamed, 413)
        fits = client.post(PUSH, content=CSV * 10, headers=org.auth | {"Content-Type": "text/csv"})
        assert fits.status_code == 202
    assert _folders(settings) - before == {fits.json()["id"]}
    assert _incoming(settings) == []


def test_idempotency_key_replays_without_a_second_submission(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    org = make_org(db)
    headers = org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "push-1"}
    first = client.post(PUSH, content=CSV, headers=headers)
    again = client.post(PUSH, content=CSV, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert [s["id"] for s in client.get("/api/v1/feed-submissions", headers=org.auth).json()["data"]] == [
        first.json()["id"]
    ]
    other = client.post(PUSH, content=CSV + b"A3,x,EA,1,USD,*\n", headers=headers)
    assert assert_problem(other, 409)["type"].endswith(":idempotency-key-reused")


def _chunked(body: bytes) -> Iterator[bytes]:
    """``body`` sent with ``Transfer-Encoding: chunked`` (no Content-Length), in a few pieces."""
    for start in range(0, len(body), 40):
        yield body[start : start + 40]


def _submission_ids(client: httpx.Client, org_auth: dict[str, str]) -> list[str]:
    return [s["id"] for s in client.get("/api/v1/feed-submissions", headers=org_auth).json()["data"]]


def test_the_same_body_replays_whether_sent_chunked_or_with_a_length(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    org = make_org(db)
    headers = org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "k-chunk-same"}
    first = client.post(PUSH, content=_chunked(CSV), headers=headers)
    assert first.status_code == 202, first.text
    landed = _folders(settings)
    for again in (
        client.post(PUSH, content=_chunked(CSV), headers=headers),
        client.post(PUSH, content=CSV, headers=headers),  # the same bytes, framed with a Content-Length
    ):
        assert (again.status_code, again.headers.get("idempotent-replayed")) == (202, "true"), again.text
        assert again.json() == first.json()
    assert _submission_ids(client, org.auth) == [first.json()["id"]]
    assert _folders(settings) == landed
    assert _incoming(settings) == []


@pytest.mark.parametrize(("path", "kind"), [(PUSH, "supplier"), ("/api/v1/manufacturers/feed", "manufacturer")])
def test_a_different_chunked_body_under_a_used_key_is_409_and_leaves_nothing(
    client: httpx.Client, db: Database, settings: Settings, path: str, kind: str
) -> None:
    org = make_org(db, kind)
    headers = org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "k-chunk-1"}
    first = client.post(path, content=_chunked(CSV), headers=headers)
    assert first.status_code == 202, first.text
    landed = _folders(settings)
    longer = CSV + b"A3,2x8 stud,EA,8.40,USD,*\n"
    other = client.post(path, content=_chunked(longer), headers=headers)
    assert "idempotent-replayed" not in other.headers
    assert assert_problem(other, 409)["type"].endswith(":idempotency-key-reused")
    assert _submission_ids(client, org.auth) == [first.json()["id"]]
    assert _folders(settings) == landed
    assert _incoming(settings) == []
    # the key still holds the first answer
    assert client.post(path, content=_chunked(CSV), headers=headers).headers.get("idempotent-replayed") == "true"


def test_a_body_of_the_same_type_and_length_but_other_bytes_is_409(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    org = make_org(db)
    headers = org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "k-same-length"}
    big = CSV * 12_000  # over 1 MiB: hashed in more than one step
    first = client.post(PUSH, content=big, headers=headers)
    assert first.status_code == 202, first.text
    landed = _folders(settings)
    assert client.post(PUSH, content=big, headers=headers).headers.get("idempotent-replayed") == "true"
    repriced = big[: -len(CSV)] + CSV.replace(b"4.10", b"4.15")  # only the last row differs
    assert len(repriced) == len(big) and repriced != big
    other = client.post(PUSH, content=repriced, headers=headers)
    assert assert_problem(other, 409)["type"].endswith(":idempotency-key-reused")
    assert _submission_ids(client, org.auth) == [first.json()["id"]]
    assert _folders(settings) == landed
    assert _incoming(settings) == []


def test_an_answer_given_before_the_body_was_read_is_not_kept(client: httpx.Client, db: Database) -> None:
    org = make_org(db)
    key = {"Idempotency-Key": "k-fix-the-type"}
    refused = client.post(PUSH, content=CSV, headers=org.auth | key | {"Content-Type": "application/xml"})
    assert_problem(refused, 415)
    fixed = client.post(PUSH, content=CSV, headers=org.auth | key | {"Content-Type": "text/csv"})
    assert fixed.status_code == 202, fixed.text
    assert "idempotent-replayed" not in fixed.headers


def _claimed(db: Database, key: str) -> bool:
    with db.sessions() as session:
        return session.scalars(select(IdempotencyRecord.key).where(IdempotencyRecord.key == key)).first() is not None


def _raw_push(server: LiveServer, org: Org, length: int, key: str, extra: str = "") -> tuple[str, str, bytes]:
    """Host, port and the head of a CSV push sent over a raw socket (so its body can stop short)."""
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"POST {PUSH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {org.key}\r\n{extra}"
        f"Content-Type: text/csv\r\nContent-Length: {length}\r\nIdempotency-Key: {key}\r\n\r\n"
    ).encode()
    return host, port, head


def test_a_retry_while_the_first_push_is_still_uploading_is_409_in_progress(
    server: LiveServer, db: Database, settings: Settings
) -> None:
    org = make_org(db)
    body = CSV * 200
    host, port, head = _raw_push(server, org, len(body), "k-slow", "Connection: close\r\n")
    headers = org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "k-slow"}
    with socket.create_connection((host, int(port))) as sock, server.client() as client:
        sock.sendall(head + body[: len(body) // 2])
        deadline = time.monotonic() + 10
        while not _claimed(db, "k-slow") and time.monotonic() < deadline:  # the first has the key
            time.sleep(0.02)
        retry = client.post(PUSH, content=body, headers=headers)
        problem = assert_problem(retry, 409)
        assert problem["type"].endswith(":idempotency-key-in-progress") and retry.headers["retry-after"] == "1"
        sock.sendall(body[len(body) // 2 :])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 202"), answer[:200]
        replayed = client.post(PUSH, content=body, headers=headers)
        assert replayed.headers.get("idempotent-replayed") == "true", replayed.text
        assert _submission_ids(client, org.auth) == [replayed.json()["id"]]


def test_status_and_report_flow_back_from_the_pipelines(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path
) -> None:
    org = make_org(db)
    good = write_csv(tmp_path / "good.csv", "supplier_catalog", [offer("A1", "4.10"), offer("A2", "6.20", "802")])
    bad = write_csv(
        tmp_path / "bad.csv",
        "supplier_catalog",
        [offer("B1", "4.10"), offer("B2", "-3.00"), offer("B3", "abc", order_uom="BUSHEL")],
    )
    pushed = {}
    for name, path in (("good", good), ("bad", bad)):
        resp = client.post(PUSH, content=path.read_bytes(), headers=org.auth | {"Content-Type": "text/csv"})
        assert resp.status_code == 202, resp.text
        pushed[name] = resp.json()["id"]
    folder = _landing(settings) / pushed["bad"]
    write_status(folder, "validating")
    url = f"/api/v1/feed-submissions/{pushed['bad']}"
    assert client.get(url, headers=org.auth).json()["status"] == "validating"

    warehouse = tmp_path / "warehouse"
    play_pipeline(folder, warehouse)
    rejected = client.get(url, headers=org.auth).json()
    assert rejected["status"] == "rejected"
    report = rejected["report"]
    assert report["accepted"] is False and report["rows"] == 3
    rules = {r["rule"]: r for r in report["rules"]}
    assert rules["unit_price_positive"]["status"] == "fail"
    assert [s["line"] for s in rules["unit_price_positive"]["samples"]] == [3]  # header is line 1
    assert rules["order_uom_known"]["failed"] == 1
    assert rules["required_name"]["status"] == "pass"

    play_pipeline(_landing(settings) / pushed["good"], warehouse)
    good_url = f"/api/v1/feed-submissions/{pushed['good']}"
    assert client.get(good_url, headers=org.auth).json()["status"] == "accepted"
    write_status(_landing(settings) / pushed["good"], "published", rows=2)
    published = client.get(good_url, headers=org.auth).json()
    assert (published["status"], published["rows"], published["report"]["accepted"]) == ("published", 2, True)
    # a terminal status stays put, whatever is written later
    write_status(folder, "published")
    assert client.get(url, headers=org.auth).json()["status"] == "rejected"
    listed = client.get("/api/v1/feed-submissions", params={"status": "rejected"}, headers=org.auth).json()
    assert [s["id"] for s in listed["data"]] == [pushed["bad"]]


def test_the_list_shows_the_status_the_pipelines_reported(
    client: httpx.Client, db: Database, settings: Settings, tmp_path: Path
) -> None:
    """Without a GET of each submission first: the list, its status filter and its cursor read
    the status.json files of the submissions still in flight."""
    org = make_org(db)
    good = write_csv(tmp_path / "good.csv", "supplier_catalog", [offer("A1", "4.10"), offer("A2", "6.20", "802")])
    ids = []
    for _ in range(4):
        resp = client.post(PUSH, content=good.read_bytes(), headers=org.auth | {"Content-Type": "text/csv"})
        assert resp.status_code == 202, resp.text
        ids.append(resp.json()["id"])
    published, accepted, validating, waiting = ids  # oldest first
    landing = _landing(settings)
    write_status(landing / published, "published", rows=2)  # the row still says received
    play_pipeline(landing / accepted, tmp_path / "warehouse")  # accepted, with its report
    report = json.loads((landing / accepted / "status.json").read_text())["report"]
    write_status(landing / validating, "validating")
    listing = "/api/v1/feed-submissions"

    def listed(**params: str) -> list[tuple[str, str]]:
        resp = client.get(listing, params=params, headers=org.auth)
        assert resp.status_code == 200, resp.text
        return [(s["id"], s["status"]) for s in resp.json()["data"]]

    assert listed() == [
        (waiting, "received"),
        (validating, "validating"),
        (accepted, "accepted"),
        (published, "published"),
    ]
    assert listed(status="published") == [(published, "published")]
    assert listed(status="received") == [(waiting, "received")]
    page = client.get(listing, params={"limit": "1", "status": "accepted"}, headers=org.auth).json()
    assert ([s["id"] for s in page["data"]], page["next_cursor"]) == ([accepted], None)
    full = client.get(listing, params={"status": "accepted"}, headers=org.auth).json()["data"][0]
    assert (full["rows"], full["report"]["accepted"]) == (2, True)

    # the pipelines move on; the list follows, page by page
    write_status(landing / validating, "published", rows=2)
    write_status(landing / accepted, "published", rows=2, report=report)
    first = client.get(listing, params={"limit": "2", "status": "published"}, headers=org.auth).json()
    rest = client.get(
        listing, params={"limit": "2", "status": "published", "cursor": first["next_cursor"]}, headers=org.auth
    ).json()
    assert [s["id"] for s in first["data"] + rest["data"]] == [validating, accepted, published]
    assert rest["next_cursor"] is None
    # and says what a GET of each says
    for item in first["data"] + rest["data"]:
        assert client.get(f"{listing}/{item['id']}", headers=org.auth).json() == item
    # a report that arrives for the step a submission is at is shown too
    write_status(landing / waiting, "validating")
    assert listed(status="validating") == [(waiting, "validating")]
    write_status(landing / waiting, "validating", rows=2, report=report)
    shown = client.get(listing, params={"status": "validating"}, headers=org.auth).json()["data"]
    assert (shown[0]["rows"], shown[0]["report"]) == (2, full["report"])


def test_a_failed_submission_shows_why_and_moves_on_when_run_again(
    client: httpx.Client, db: Database, settings: Settings
) -> None:
    """status.json as the pipelines mark a run that stopped on an error (pipelines.submissions)."""
    org = make_org(db)
    sid = client.post(PUSH, content=CSV, headers=org.auth | {"Content-Type": "text/csv"}).json()["id"]
    folder = _landing(settings) / sid
    url = f"/api/v1/feed-submissions/{sid}"
    write_status(folder, "validating")
    assert client.get(url, headers=org.auth).json()["status"] == "validating"
    failed_at = datetime.now(UTC)
    assert mark_failed(settings.data_dir, sid, run_id="run-1", steps=["supplier_catalog__curated"], failed_at=failed_at)
    written = json.loads((folder / "status.json").read_text())["updated_at"]
    time.sleep(0.05)
    failed = client.get(url, headers=org.auth).json()
    assert failed["status"] == "failed"
    # when the pipelines changed it, not when the service noticed
    assert datetime.fromisoformat(failed["status_changed_at"]) == datetime.fromisoformat(written)
    assert failed["failure"]["steps"] == ["supplier_catalog__curated"] and failed["failure"]["run_id"] == "run-1"
    assert datetime.fromisoformat(failed["failure"]["failed_at"]) == failed_at
    listing = client.get("/api/v1/feed-submissions", params={"status": "failed"}, headers=org.auth).json()["data"]
    assert listing == [failed]

    # run again, it fails again before anyone looks: the later run is the one shown
    write_status(folder, "validating")
    assert mark_failed(settings.data_dir, sid, run_id="run-2", steps=["x__landed"], failed_at=datetime.now(UTC))
    again = client.get("/api/v1/feed-submissions", headers=org.auth).json()["data"][0]
    assert (again["status"], again["failure"]["run_id"]) == ("failed", "run-2")
    # and once a run gets through, the failure is gone
    write_status(folder, "published", rows=2)
    published = client.get(url, headers=org.auth).json()
    assert (published["status"], published["failure"], published["rows"]) == ("published", None, 2)


def test_a_dropped_upload_does_not_use_up_its_idempotency_key(server: LiveServer, db: Database) -> None:
    org = make_org(db)
    body = CSV * 200
    host, port, head = _raw_push(server, org, len(body), "retry-1")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head + body[: len(body) // 2])  # and the connection drops
    with server.client() as client:
        deadline = time.monotonic() + 10
        while True:
            resp = client.post(
                PUSH,
                content=body,
                headers=org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "retry-1"},
            )
            if resp.status_code != 409 or time.monotonic() > deadline:  # 409: the first still in flight
                break
            time.sleep(0.1)
        assert resp.status_code == 202, resp.text  # the retry ran: the 400 of the half body was not kept
        assert "idempotent-replayed" not in resp.headers
        again = client.post(
            PUSH, content=body, headers=org.auth | {"Content-Type": "text/csv", "Idempotency-Key": "retry-1"}
        )
        assert again.headers.get("idempotent-replayed") == "true" and again.json()["id"] == resp.json()["id"]


def test_a_sync_that_lost_a_race_does_not_move_a_submission_back(client: httpx.Client, db: Database) -> None:
    org = make_org(db)
    sid = uuid.UUID(client.post(PUSH, content=CSV, headers=org.auth | {"Content-Type": "text/csv"}).json()["id"])
    with db.sessions() as slow:
        seen = FeedSubmissionRepository(slow).get(org.org_id, sid)
        assert seen is not None and seen.status == "received"
        # meanwhile another request syncs it to published
        db.write_sync(lambda session: apply_statuses(session, org.org_id, {sid: StatusFile("published", rows=2)}))
        assert FeedSubmissionRepository(slow).advance(seen, {"status": "validating"}) is False
        slow.commit()
        assert seen.status == "published"
    assert client.get(f"/api/v1/feed-submissions/{sid}", headers=org.auth).json()["status"] == "published"


def test_a_status_file_read_before_is_not_read_again_until_it_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old, fresh, none = "s-old", "s-fresh", "s-none"
    decoded: list[bytes] = []
    decode = msgspec.json.decode

    def counting(raw: bytes, **kwargs: object) -> object:
        if b'"s-' in raw:  # ours, not something the session's server decodes meanwhile
            decoded.append(raw)
        return decode(raw, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(msgspec.json, "decode", counting)
    landing = Landing(tmp_path)
    for sid in (old, fresh, none):
        landing.folder(sid).mkdir(parents=True)
    write_status(landing.folder(old), "accepted", rows=3)
    an_hour_ago = time.time() - 3600
    os.utime(landing.folder(old) / "status.json", (an_hour_ago, an_hour_ago))
    write_status(landing.folder(fresh), "validating")

    first = landing.read_statuses([old, fresh, none])
    assert {sid: (s.status, s.rows) for sid, s in first.items()} == {old: ("accepted", 3), fresh: ("validating", None)}
    assert len(decoded) == 2
    again = landing.read_statuses([old, fresh, none])
    assert again == first
    assert len(decoded) == 3  # the old file came from the cache; one written just now is read again
    write_status(landing.folder(old), "published", rows=3)  # replaced (a new file renamed over it)
    latest = landing.read_status(old)
    assert latest is not None and (latest.status, latest.rows) == ("published", 3)


def test_another_orgs_submission_is_404(client: httpx.Client, db: Database) -> None:
    mine, theirs = make_org(db), make_org(db)
    sub = client.post(PUSH, content=CSV, headers=mine.auth | {"Content-Type": "text/csv"}).json()
    assert_problem(client.get(f"/api/v1/feed-submissions/{sub['id']}", headers=theirs.auth), 404)


def test_a_malformed_status_file_is_ignored(client: httpx.Client, db: Database, settings: Settings) -> None:
    org = make_org(db)
    sub = client.post(PUSH, content=CSV, headers=org.auth | {"Content-Type": "text/csv"}).json()
    (_landing(settings) / sub["id"] / "status.json").write_text('{"status": "exploded"}')
    resp = client.get(f"/api/v1/feed-submissions/{sub['id']}", headers=org.auth)
    assert resp.status_code == 200 and resp.json()["status"] == "received"


# -- a real-size push ------------------------------------------------------------------------------

GIB = 1024**3


def _rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.mark.slow
def test_a_1_gib_push_streams_with_bounded_server_memory(
    cli_env: dict[str, str], db: Database, settings: Settings, tmp_path: Path
) -> None:
    """A separate ``joist serve`` process takes a 1 GiB CSV generated on the fly; its peak RSS
    (VmHWM) grows by far less than the body, and the landed file is the body, byte for byte."""
    org = make_org(db)
    sample = write_supplier_csv(tmp_path / "sample.csv", 2000)
    header, _, rows = sample.path.read_bytes().partition(b"\n")
    block = rows * max(1, (8 * 1024 * 1024) // len(rows))  # ~8 MiB of rows, repeated
    total = GIB + len(header) + 1
    repeats, tail = divmod(total - len(header) - 1, len(block))

    def body() -> Iterator[bytes]:
        yield header + b"\n"
        for _ in range(repeats):
            yield block
        yield block[:tail]

    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=cli_env | {"JOIST_MAX_FEED_BYTES": str(2 * GIB)},
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and server.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
            client.get("/api/v1/feed-submissions", headers=org.auth)  # warm every code path once
            baseline = _rss_kib(server.pid, "VmRSS")
            resp = client.post(
                PUSH,
                content=body(),
                headers=org.auth | {"Content-Type": "text/csv", "Content-Length": str(total)},
            )
            assert resp.status_code == 202, resp.text
            peak = _rss_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    sub = resp.json()
    assert sub["size_bytes"] == total
    landed = settings.data_dir / "landing" / sub["id"] / "body.csv"
    assert landed.stat().st_size == total
    grown_mib = (peak - baseline) // 1024
    print(f"1 GiB push: server RSS {baseline // 1024} MiB before, peak {peak // 1024} MiB")
    assert grown_mib < 150, f"server RSS grew by {grown_mib} MiB while taking a 1 GiB body"
    os.remove(landed)  # a gigabyte is too much to leave behind in the test data dir


def test_demo_feeds_writes_pushable_samples(
    cli_env: dict[str, str], client: httpx.Client, db: Database, tmp_path: Path
) -> None:
    from tests.service.test_cli import joist

    out = joist(cli_env, "demo", "feeds", "--rows", "60", "--dirty", "--out", str(tmp_path / "s")).stdout
    names = sorted(Path(line.split("\t")[0]).name for line in out.strip().splitlines())
    assert names == ["cost_items.csv", "location_index.csv", "manufacturer_feed.csv", "supplier_catalog.csv"]
    assert "planted defects" in out
    catalog = (tmp_path / "s" / "supplier_catalog.csv").read_bytes()
    assert catalog.startswith(b"supplier_sku,name,description,brand,")
    assert catalog.count(b"\n") == 61
    org = make_org(db)
    resp = client.post(PUSH, content=catalog, headers=org.auth | {"Content-Type": "text/csv"})
    assert resp.status_code == 202, resp.text
