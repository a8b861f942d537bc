"""The request owns the transaction: a commit that fails is a 5xx, and nothing is half-written."""

from __future__ import annotations

import httpx
from sqlalchemy import event

from tests.conftest import Tenant


def test_failed_commit_answers_500_and_writes_nothing(make_server, tenant: Tenant, client: httpx.Client) -> None:
    live = make_server()

    def refuse(_session: object) -> None:
        raise RuntimeError("the database refused the commit")

    event.listen(live.app.state.db.sessions, "before_commit", refuse)
    with live.client() as c:
        resp = c.post("/api/v1/api-keys", json={"name": "doomed", "scopes": ["read:projects"]}, headers=tenant.auth)
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"
    assert "refused" not in resp.text and "Traceback" not in resp.text
    names = [k["name"] for k in client.get("/api/v1/api-keys", headers=tenant.auth).json()["data"]]
    assert "doomed" not in names


def test_a_domain_error_rolls_back_the_whole_unit_of_work(client: httpx.Client, make_tenant) -> None:
    tenant = make_tenant(plan="starter")
    before = client.get("/api/v1/api-keys", headers=tenant.auth).json()["data"]
    resp = client.post(
        "/api/v1/api-keys", json={"name": "x", "scopes": ["read:projects"], "rate_limit": 9}, headers=tenant.auth
    )
    assert resp.status_code == 400
    assert client.get("/api/v1/api-keys", headers=tenant.auth).json()["data"] == before
