"""Webhooks and the scopes that read their data, and webhooks made by an OAuth app: the app's
own, seen only by it and by the builder's keys, and ended when the builder withdraws the app."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from service.accounts.models import Builder, UserKind
from service.api_keys.services import issue_key
from service.db.database import Database
from service.webhooks.models import WebhookDelivery
from service.webhooks.services import disable
from tests.conftest import LiveServer, Tenant
from tests.helpers import assert_problem
from tests.service.oauth_helpers import exchange, get_code, make_app, make_builder_user, make_person, pkce, sign_in
from tests.service.receiver import Receiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver.start()
    yield r
    r.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def hook(client: httpx.Client, auth: dict[str, str], url: str, *types: str) -> httpx.Response:
    return client.post(HOOKS, json={"url": url, "event_types": list(types)}, headers=auth)


@pytest.mark.parametrize(
    ("scopes", "selection", "needed"),
    [
        (["write:webhooks"], ["invoice.*"], "read:invoices"),
        (["write:webhooks", "read:projects"], ["project.created", "change_order.approved"], "read:change_orders"),
        (["write:webhooks", "read:projects"], ["*"], "read:budgets"),
    ],
)
def test_selecting_events_needs_the_scope_that_reads_their_data(
    client: httpx.Client,
    make_tenant: Callable[..., Tenant],
    receiver: Receiver,
    scopes: list[str],
    selection: list[str],
    needed: str,
) -> None:
    tenant = make_tenant(scopes=scopes)
    problem = assert_problem(hook(client, tenant.auth, receiver.url("/x"), *selection), 403)
    assert problem["required_scope"] == needed
    assert needed in problem["detail"]
    assert client.get(HOOKS, headers=tenant.auth).json()["data"] == []


def test_webhook_events_and_read_events_need_no_other_scope(
    client: httpx.Client, make_tenant: Callable[..., Tenant], receiver: Receiver
) -> None:
    only_hooks = make_tenant(scopes=["write:webhooks"])
    assert hook(client, only_hooks.auth, receiver.url("/x"), "webhook.*").status_code == 201
    # read:events reads every event in the log, so it may receive every one
    every = make_tenant(scopes=["write:webhooks", "read:events"])
    assert hook(client, every.auth, receiver.url("/x"), "*").status_code == 201
    # and a selection that was allowed cannot be widened by a PUT
    created = hook(client, only_hooks.auth, receiver.url("/y"), "webhook.test").json()
    widened = client.put(
        f"{HOOKS}/{created['id']}",
        json={"url": receiver.url("/y"), "event_types": ["document.*"]},
        headers=only_hooks.auth,
    )
    assert assert_problem(widened, 403)["required_scope"] == "read:documents"


def test_the_event_types_name_their_scope(client: httpx.Client, tenant: Tenant) -> None:
    types = {t["type"]: t["scope"] for t in client.get(f"{HOOKS}/event-types", headers=tenant.auth).json()["data"]}
    assert types["invoice.approved"] == "read:invoices"
    assert types["change_order.created"] == "read:change_orders"
    assert types["webhook.disabled"] == "read:webhooks"


@dataclass
class Authorized:
    app_id: str
    as_app: dict[str, str]  # the app's access token, acting for the builder
    as_builder: dict[str, str]  # the builder's own key


@pytest.fixture
def authorized(server: LiveServer, db: Database, client: httpx.Client) -> Authorized:
    """An app holding write:webhooks and read:projects, authorized by a builder's owner."""
    developer = make_person(db, UserKind.DEVELOPER)
    app = make_app(db, developer, scopes=["write:webhooks", "read:projects"])
    owner = make_builder_user(db, "owner")
    with server.client(follow_redirects=False) as browser:
        assert sign_in(browser, owner).status_code == 303
        verifier, challenge = pkce()
        issued = exchange(client, app, get_code(browser, app, challenge), verifier).json()

    def builder_key(session: Any) -> str:
        scopes = ["write:webhooks", "write:projects", "write:oauth"]
        return issue_key(session, session.get_one(Builder, owner.builder_id), name="own", scopes=scopes)[1]

    return Authorized(str(app.id), bearer(issued["access_token"]), bearer(db.write_sync(builder_key)))


def test_an_apps_webhooks_are_its_own_and_end_when_the_builder_withdraws_it(
    db: Database, client: httpx.Client, receiver: Receiver, authorized: Authorized
) -> None:
    as_app, as_builder = authorized.as_app, authorized.as_builder
    own = hook(client, as_builder, receiver.url("/own"), "project.*").json()
    assert own["app_id"] is None
    assert assert_problem(hook(client, as_app, receiver.url("/app"), "invoice.*"), 403)["required_scope"] == (
        "read:invoices"
    )
    made = hook(client, as_app, receiver.url("/app"), "project.created")
    assert made.status_code == 201, made.text
    app_hook = made.json()
    assert app_hook["app_id"] == authorized.app_id

    # the app sees and touches only its own webhook
    assert [h["id"] for h in client.get(HOOKS, headers=as_app).json()["data"]] == [app_hook["id"]]
    assert_problem(client.get(f"{HOOKS}/{own['id']}", headers=as_app), 404)
    assert_problem(client.get(f"{HOOKS}/{own['id']}/deliveries", headers=as_app), 404)
    assert_problem(client.post(f"{HOOKS}/{own['id']}/test", headers=as_app), 404)
    assert_problem(client.delete(f"{HOOKS}/{own['id']}", headers=as_app), 404)
    assert client.get(f"{HOOKS}/{app_hook['id']}", headers=as_app).json()["url"] == receiver.url("/app")
    # the builder's key sees both, each with its maker
    listed = {h["id"]: h["app_id"] for h in client.get(HOOKS, headers=as_builder).json()["data"]}
    assert listed == {own["id"]: None, app_hook["id"]: authorized.app_id}

    # while the app is authorized, its webhook gets the builder's events
    first = client.post("/api/v1/projects", json={"name": "Harbor View"}, headers=as_builder)
    assert first.status_code == 201, first.text
    queued = client.get(f"{HOOKS}/{app_hook['id']}/deliveries", headers=as_app).json()["data"]
    assert [d["event_type"] for d in queued] == ["project.created"]

    authorized = client.get("/api/v1/oauth/authorized-apps", headers=as_builder).json()["data"]
    assert client.delete(f"/api/v1/oauth/authorized-apps/{authorized[0]['id']}", headers=as_builder).status_code == 204

    # the app's webhook is gone with its queued deliveries; the builder's own stays
    assert_problem(client.get(f"{HOOKS}/{app_hook['id']}", headers=as_builder), 404)
    assert [h["id"] for h in client.get(HOOKS, headers=as_builder).json()["data"]] == [own["id"]]
    assert client.post("/api/v1/projects", json={"name": "Pier 9"}, headers=as_builder).status_code == 201
    own_log = client.get(f"{HOOKS}/{own['id']}/deliveries", headers=as_builder).json()["data"]
    assert [d["event_type"] for d in own_log] == ["project.created", "project.created"]
    left = db.write_sync(
        lambda s: s.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == uuid.UUID(app_hook["id"]))
        )
    )
    assert left == 0


def test_an_app_hears_only_of_its_own_webhooks_being_disabled(
    db: Database, client: httpx.Client, receiver: Receiver, authorized: Authorized
) -> None:
    as_app, as_builder = authorized.as_app, authorized.as_builder
    builder_broken = hook(client, as_builder, receiver.url("/b1"), "project.*").json()
    builder_watch = hook(client, as_builder, receiver.url("/b2"), "webhook.disabled").json()
    app_watch = hook(client, as_app, receiver.url("/a1"), "webhook.disabled").json()
    app_broken = hook(client, as_app, receiver.url("/a2"), "project.*").json()

    def heard(auth: dict[str, str], hook_id: str) -> list[str]:
        log = client.get(f"{HOOKS}/{hook_id}/deliveries", headers=auth).json()["data"]
        return [d["event_type"] for d in log]

    def break_(hook_id: str) -> None:
        assert db.write_sync(lambda s: disable(s, uuid.UUID(hook_id), "410 Gone", datetime.now(UTC)))

    # the builder's own webhook breaks: the builder hears of it, the app does not (its address
    # is not the app's to know)
    break_(builder_broken["id"])
    assert heard(as_builder, builder_watch["id"]) == ["webhook.disabled"]
    assert heard(as_app, app_watch["id"]) == []
    # the app's webhook breaks: the app and the builder both hear of it
    break_(app_broken["id"])
    assert heard(as_builder, builder_watch["id"]) == ["webhook.disabled", "webhook.disabled"]
    assert heard(as_app, app_watch["id"]) == ["webhook.disabled"]


def test_a_bad_filter_value_names_the_parameter_as_sent(
    client: httpx.Client, make_tenant: Callable[..., Tenant], receiver: Receiver
) -> None:
    tenant = make_tenant()
    made = hook(client, tenant.auth, receiver.url("/x"), "project.*").json()
    resp = client.get(f"{HOOKS}/{made['id']}/deliveries", params={"state": "zzz"}, headers=tenant.auth)
    problem = assert_problem(resp, 400)
    assert [e["field"] for e in problem["errors"]] == ["state"]
    assert "delivery_state" not in problem["detail"]
