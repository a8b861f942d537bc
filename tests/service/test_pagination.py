"""Cursor pagination: following ``next_cursor`` returns every item exactly once, newest first,
even while items are being added; the default page is 25."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.accounts.models import Builder
from service.api_keys.models import ApiKey
from service.api_keys.services import issue_key
from service.db.database import Database
from tests.conftest import Tenant

KEYS = "/api/v1/api-keys"


def _seed_keys(db: Database, tenant: Tenant, count: int, *, same_time: bool = False) -> list[str]:
    """Give the tenant ``count`` keys, oldest first, created an hour ago one second apart (or all at
    the same instant); return their ids in creation order."""
    base = datetime.now(UTC) - timedelta(hours=1)

    def work(session: Session) -> list[str]:
        builder = session.get_one(Builder, tenant.builder_id)
        ids = []
        for i in range(count):
            row, _ = issue_key(session, builder, name=f"seeded {i}", scopes=["read:projects"])
            row.created_at = base if same_time else base + timedelta(seconds=i)
            ids.append(str(row.id))
        session.flush()
        return ids

    return db.write_sync(work)


def _tenant_key_id(db: Database, tenant: Tenant) -> str:
    """The id of the key the fixture gave the tenant (created before anything this test adds)."""
    return str(
        db.read_sync(lambda c: c.execute(select(ApiKey.id).where(ApiKey.builder_id == tenant.builder_id)).scalar_one())
    )


def _page(client: httpx.Client, tenant: Tenant, **params: Any) -> dict[str, Any]:
    resp = client.get(KEYS, params=params, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    assert set(body) == {"data", "next_cursor"}
    return body


def _follow(
    client: httpx.Client, tenant: Tenant, limit: int, between_pages: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Every item reached by following next_cursor from the first page; ``between_pages`` runs
    after each page that has a successor."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        body = _page(client, tenant, limit=limit, **({"cursor": cursor} if cursor else {}))
        assert len(body["data"]) <= limit
        items.extend(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert body["data"], "a page with a next_cursor must not be empty"
        if between_pages is not None:
            between_pages()
    raise AssertionError("next_cursor never ran out")


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def _assert_newest_first(items: list[dict[str, Any]]) -> None:
    stamps = [datetime.fromisoformat(item["created_at"]) for item in items]
    assert stamps == sorted(stamps, reverse=True)


def test_following_cursors_returns_every_item_once_newest_first(
    client: httpx.Client, tenant: Tenant, db: Database
) -> None:
    own = _tenant_key_id(db, tenant)
    seeded = _seed_keys(db, tenant, 60)
    items = _follow(client, tenant, limit=7)
    assert _ids(items) == [own, *reversed(seeded)]
    _assert_newest_first(items)


def test_the_last_page_has_no_next_cursor(client: httpx.Client, tenant: Tenant, db: Database) -> None:
    _seed_keys(db, tenant, 13)  # 14 keys in all: exactly two pages of 7
    first = _page(client, tenant, limit=7)
    assert len(first["data"]) == 7 and first["next_cursor"] is not None
    last = _page(client, tenant, limit=7, cursor=first["next_cursor"])
    assert len(last["data"]) == 7
    assert last["next_cursor"] is None


def test_items_created_at_the_same_instant_are_each_returned_once(
    client: httpx.Client, tenant: Tenant, db: Database
) -> None:
    seeded = _seed_keys(db, tenant, 30, same_time=True)
    items = _follow(client, tenant, limit=7)
    assert len(_ids(items)) == len(set(_ids(items))) == 31
    assert set(seeded) <= set(_ids(items))
    _assert_newest_first(items)


def test_items_added_while_paging_cause_no_repeats_and_no_gaps(
    client: httpx.Client, tenant: Tenant, db: Database
) -> None:
    own = _tenant_key_id(db, tenant)
    seeded = _seed_keys(db, tenant, 60)
    added: list[str] = []

    def add_keys() -> None:
        for _ in range(2):
            resp = client.post(
                KEYS, json={"name": f"added {uuid.uuid4().hex[:6]}", "scopes": ["read:projects"]}, headers=tenant.auth
            )
            assert resp.status_code == 201, resp.text
            added.append(resp.json()["id"])

    items = _follow(client, tenant, limit=7, between_pages=add_keys)
    ids = _ids(items)
    assert len(ids) == len(set(ids)), "an item was returned twice"
    assert {own, *seeded} <= set(ids), "an item that existed before paging began was skipped"
    assert added, "keys were added while paging"
    _assert_newest_first(items)
    # Newer items than the first page belong on a fresh first page, and they are there.
    assert set(added) <= set(_ids(_follow(client, tenant, limit=100)))


def test_the_default_page_is_25(client: httpx.Client, tenant: Tenant, db: Database) -> None:
    _seed_keys(db, tenant, 40)
    first = _page(client, tenant)
    assert len(first["data"]) == 25
    assert first["next_cursor"] is not None
    rest = _page(client, tenant, cursor=first["next_cursor"])
    assert len(rest["data"]) == 16
    assert rest["next_cursor"] is None
    assert not set(_ids(first["data"])) & set(_ids(rest["data"]))


def test_a_cursor_does_not_cross_tenants(
    client: httpx.Client, make_tenant: Callable[..., Tenant], db: Database
) -> None:
    alice, bob = make_tenant(), make_tenant()
    _seed_keys(db, alice, 10)
    alices_cursor = _page(client, alice, limit=3)["next_cursor"]
    assert alices_cursor is not None
    bobs = _page(client, bob, limit=3, cursor=alices_cursor)
    alice_ids = set(_ids(_follow(client, alice, limit=100)))
    assert not alice_ids & set(_ids(bobs["data"]))
