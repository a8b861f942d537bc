"""The supplier deals hub: platform-negotiated deals created by operators, listed to the builders
whose plan is eligible, and shown beside list prices in the catalog, never to other plans."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from service.app import create_app
from service.db.database import Database
from service.deals.services import DealRule, best_deal, create_deal
from service.orgs.repositories import OrgRepository
from service.orgs.services import create_org
from service.settings import Settings
from tests.conftest import LiveServer, Tenant, start_server
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.feed_helpers import build_snapshot
from tests.service.test_cli import joist

DEALS = "/api/v1/deals"
PRODUCTS = "/api/v1/catalog/products"


@pytest.fixture(scope="module")
def suppliers() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return (f"deal-one-{tag}", f"deal-two-{tag}")


@pytest.fixture(scope="module")
def deal_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, suppliers: tuple[str, str]
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("deal-data")
    build_snapshot(data_dir, suppliers)
    live = start_server(create_app(settings.with_(data_dir=data_dir)))
    yield live
    live.stop()


@pytest.fixture
def api(deal_server: LiveServer) -> Iterator[httpx.Client]:
    with deal_server.client() as c:
        yield c


def _deal(db: Database, **kwargs: Any) -> uuid.UUID:
    kwargs.setdefault("name", f"deal {uuid.uuid4().hex[:8]}")

    def create(session: Session) -> uuid.UUID:
        if OrgRepository(session).by_slug(kwargs["supplier"]) is None:  # a deal is a supplier's
            create_org(session, kind="supplier", slug=kwargs["supplier"], name=kwargs["supplier"])
        return create_deal(session, **kwargs).id

    return db.write_sync(create)


def _deals(api: httpx.Client, tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    resp = api.get(DEALS, params=params, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def test_deals_are_listed_only_to_eligible_plans_and_current_by_default(
    api: httpx.Client, db: Database, make_tenant: Callable[..., Tenant], suppliers: tuple[str, str]
) -> None:
    one, _ = suppliers
    now = datetime.now(UTC)
    pro = _deal(db, supplier=one, category="Lumber", discount_percent=Decimal("8"), plans=["professional"])
    everyone = _deal(
        db, supplier=one, discount_amount=Decimal("0.50"), currency="USD", plans=["starter", "professional"]
    )
    past = _deal(
        db,
        supplier=one,
        discount_percent=Decimal("50"),
        plans=["professional"],
        valid_from=now - timedelta(days=30),
        valid_to=now - timedelta(days=1),
    )
    professional, starter = make_tenant("professional"), make_tenant("starter")
    listed = _deals(api, professional, supplier=one)
    assert {d["id"] for d in listed} <= {d["id"] for d in _deals(api, professional, supplier=" ")}  # blank: all
    assert [d["id"] for d in listed] == [str(everyone), str(pro)]  # newest first; the expired one left out
    first = listed[1]
    assert (first["discount_percent"], first["category"], first["provenance"]) == ("8", "Lumber", "platform-negotiated")
    assert listed[0]["discount_amount"] == "0.50" and listed[0]["eligible_plans"] == ["professional", "starter"]
    assert [d["id"] for d in _deals(api, starter, supplier=one)] == [str(everyone)]
    with_past = _deals(api, professional, supplier=one, current="false")
    assert str(past) in {d["id"] for d in with_past}
    # pagination over the same list
    page = api.get(DEALS, params={"supplier": one, "limit": "1"}, headers=professional.auth).json()
    assert [d["id"] for d in page["data"]] == [str(everyone)] and page["next_cursor"]
    rest = api.get(DEALS, params={"supplier": one, "cursor": page["next_cursor"]}, headers=professional.auth).json()
    assert [d["id"] for d in rest["data"]] == [str(pro)] and rest["next_cursor"] is None


def test_eligible_builders_see_deal_prices_beside_list_prices(
    api: httpx.Client, db: Database, make_tenant: Callable[..., Tenant], suppliers: tuple[str, str]
) -> None:
    _, two = suppliers
    deal_id = _deal(
        db,
        name=f"Two's copper: 10% off {uuid.uuid4().hex[:6]}",
        supplier=two,
        category="Plumbing",
        discount_percent=Decimal("10"),
        plans=["business"],
    )
    business, starter = make_tenant("business"), make_tenant("starter")

    def pipe(tenant: Tenant) -> dict[str, Any]:
        resp = api.get(PRODUCTS, params={"q": "copper pipe", "supplier": two}, headers=tenant.auth)
        assert resp.status_code == 200, resp.text
        hit: dict[str, Any] = next(h for h in resp.json()["data"] if h["manufacturer"] == "Mueller")
        return hit

    seen = pipe(business)["offer"]
    assert (seen["unit_price"], seen["deal_price"]) == ("2.40", "2.16")
    assert seen["deal"] == {
        "deal_id": str(deal_id),
        "name": seen["deal"]["name"],
        "provenance": "platform-negotiated",
        "discount_percent": "10",
        "discount_amount": None,
    }
    hidden = pipe(starter)["offer"]
    assert (hidden["unit_price"], hidden["deal_price"], hidden["deal"]) == ("2.40", None, None)

    product = pipe(business)["product_id"]
    detail = api.get(f"{PRODUCTS}/{product}", headers=business.auth).json()
    by_supplier = {o["supplier"]: o for o in detail["offers"]}
    assert by_supplier[two]["deal_price"] == "2.16"
    assert by_supplier[suppliers[0]]["deal_price"] is None  # the deal is two's, not one's
    plain = {o["supplier"]: o for o in api.get(f"{PRODUCTS}/{product}", headers=starter.auth).json()["offers"]}
    assert (plain[two]["deal_price"], plain[two]["deal"]) == (None, None)


def test_an_amount_deal_comes_off_each_order_unit_of_the_catalog_price(
    api: httpx.Client, db: Database, make_tenant: Callable[..., Tenant], suppliers: tuple[str, str]
) -> None:
    _, two = suppliers
    tenant = make_tenant("enterprise")
    deal_id = _deal(db, supplier=two, category="Electrical", discount_amount=Decimal("1.00"), currency="USD",
                    plans=["enterprise"])  # fmt: skip
    hit = api.get(PRODUCTS, params={"q": "romex", "supplier": two}, headers=tenant.auth).json()["data"][0]
    # 27.50 buys 10 LF; 1.00 off each LF
    assert (hit["offer"]["unit_price"], hit["offer"]["price_quantity"]) == ("27.50", "10")
    assert (hit["offer"]["deal_price"], hit["offer"]["deal"]["deal_id"]) == ("17.50", str(deal_id))
    detail = api.get(f"{PRODUCTS}/{hit['product_id']}", headers=tenant.auth).json()
    assert [o["deal_price"] for o in detail["offers"]] == ["17.50"]


def test_the_best_of_several_deals_applies(
    api: httpx.Client, db: Database, make_tenant: Callable[..., Tenant], suppliers: tuple[str, str]
) -> None:
    one, _ = suppliers
    tenant = make_tenant("enterprise")
    small = _deal(db, supplier=one, category="Plumbing > Fittings", discount_percent=Decimal("2"), plans=["enterprise"])
    big = _deal(db, supplier=one, discount_amount=Decimal("5.00"), currency="USD", plans=["enterprise"])
    hits = api.get(PRODUCTS, params={"q": "elbow", "supplier": one}, headers=tenant.auth).json()["data"]
    offer = hits[0]["offer"]
    assert offer["unit_price"] == "30.00"
    assert (offer["deal_price"], offer["deal"]["deal_id"]) == ("25.00", str(big))
    assert str(small) != offer["deal"]["deal_id"]


def _rule(*, percent: str | None = None, amount: str | None = None, currency: str | None = None) -> DealRule:
    return DealRule(
        uuid.uuid4(),
        f"rule {percent or amount}",
        "sup",
        None,
        None,
        None if percent is None else Decimal(percent),
        None if amount is None else Decimal(amount),
        currency,
    )


def _priced(deals: list[DealRule], unit_price: str, quantity: str | None, currency: str = "USD") -> Any:
    return best_deal(
        deals,
        supplier="sup",
        product_id="p_0123456789abcdef",
        category=None,
        unit_price=Decimal(unit_price),
        currency=currency,
        price_quantity=None if quantity is None else Decimal(quantity),
    )


def test_an_amount_comes_off_each_order_unit_the_price_buys() -> None:
    # 27.50 is the price of 10 LF: a dollar off each LF is 10 dollars off it
    dollar = _rule(amount="1.00", currency="USD")
    assert _priced([dollar], "27.50", "10") == (Decimal("17.50"), dollar)
    assert _priced([dollar], "27.50", "1") == (Decimal("26.50"), dollar)
    assert _priced([dollar], "27.50", None) == (Decimal("26.50"), dollar)  # no price_quantity: one unit
    assert _priced([dollar], "145.00", "2.5") == (Decimal("142.50"), dollar)
    tiny = _rule(amount="0.0125", currency="USD")
    assert _priced([tiny], "10.00", "3") == (Decimal("9.96"), tiny)  # 9.9625, to the cent
    # never below zero, however many units the amount comes off
    assert dollar.price(Decimal("27.50"), "USD", Decimal("30")) == Decimal("0.00")
    assert dollar.price(Decimal("9.99"), "USD", Decimal("10")) == Decimal("0.00")
    # an amount in another currency does not apply, whatever the quantity
    assert _rule(amount="1.00", currency="EUR").price(Decimal("27.50"), "USD", Decimal("10")) is None
    assert _priced([_rule(amount="1.00", currency="EUR")], "27.50", "10") is None
    # a percent is of the price, whatever quantity it buys
    ten = _rule(percent="10")
    assert ten.price(Decimal("27.50"), "USD", Decimal("10")) == ten.price(Decimal("27.50"), "USD", None)
    assert _priced([ten], "27.50", "10") == (Decimal("24.75"), ten)
    # the best deal is judged on the same quantity: 50 cents a unit beats 10 % for 10 units, not for one
    half = _rule(amount="0.50", currency="USD")
    assert _priced([ten, half], "27.50", "10") == (Decimal("22.50"), half)
    assert _priced([ten, half], "27.50", "1") == (Decimal("24.75"), ten)


def test_cli_creates_deals_and_refuses_bad_ones(
    cli_env: dict[str, str], api: httpx.Client, make_tenant: Callable[..., Tenant]
) -> None:
    supplier = f"cli-sup-{uuid.uuid4().hex[:8]}"
    unknown = joist(
        cli_env, "deals", "create", "--name", f"no org {supplier}", "--supplier", supplier, "--percent", "3",
        "--plans", "starter", check=False,
    )  # fmt: skip
    assert unknown.returncode != 0 and "no supplier organisation has this slug" in unknown.stderr
    joist(cli_env, "orgs", "create", "--kind", "supplier", "--slug", supplier, "--name", "CLI Supply")
    created = joist(
        cli_env,
        "deals",
        "create",
        "--name",
        f"CLI deal {supplier}",
        "--supplier",
        supplier,
        "--category",
        "Lumber > Sheet Goods",
        "--percent",
        "3",
        "--plans",
        "starter,business",
        "--valid-from",
        "2026-01-01",
    )
    deal_id = created.stdout.strip().splitlines()[-1]
    listed = _deals(api, make_tenant("starter"), supplier=supplier)
    assert [d["id"] for d in listed] == [deal_id]
    both = joist(
        cli_env, "deals", "create", "--name", "x", "--supplier", supplier, "--percent", "3", "--amount", "1",
        "--currency", "USD", "--plans", "starter", check=False,
    )  # fmt: skip
    assert both.returncode != 0 and "percent or an amount" in both.stderr
    plan = joist(
        cli_env, "deals", "create", "--name", "y", "--supplier", supplier, "--percent", "3", "--plans", "gold",
        check=False,
    )  # fmt: skip
    assert plan.returncode != 0 and "plans" in plan.stderr
    again = joist(
        cli_env, "deals", "create", "--name", f"CLI deal {supplier}", "--supplier", supplier, "--percent", "3",
        "--plans", "starter", check=False,
    )  # fmt: skip
    assert again.returncode != 0 and "already exists" in again.stderr


def test_deal_list_validation_scope_and_account(api: httpx.Client, make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("business")
    assert_validation_problem(api.get(DEALS, params={"current": "maybe"}, headers=tenant.auth))
    assert_validation_problem(api.get(DEALS, params={"cursor": "zzz"}, headers=tenant.auth))
    too_long = assert_validation_problem(api.get(DEALS, params={"supplier": "s" * 64}, headers=tenant.auth))
    assert [e["field"] for e in too_long] == ["supplier"]
    assert_problem(api.get(DEALS, headers=make_tenant(scopes=["read:projects"]).auth), 403)
    assert_problem(api.get(DEALS), 401)


def test_seed_demo_adds_orgs_and_deals_once(
    cli_env: dict[str, str], api: httpx.Client, make_tenant: Callable[..., Tenant]
) -> None:
    joist(cli_env, "seed", "--demo")
    joist(cli_env, "seed", "--demo")
    professional = make_tenant("professional")
    listed = _deals(api, professional, supplier="front-range-supply")
    assert [d["name"] for d in listed] == ["Front Range lumber: 8% off for Professional and up"]
    assert _deals(api, make_tenant("starter"), supplier="front-range-supply") == []


@pytest.mark.parametrize(
    ("category", "matches"),
    [
        ("Plumbing > Fittings > Copper", True),
        ("plumbing > fittings", True),  # the catalog's category filter ignores case too
        ("Plumbing", True),  # a deal on a category covers the categories under it
        ("Plumbing > Fit", False),  # a whole category, not a prefix of its name
        ("Electrical", False),
    ],
)
def test_a_category_deal_covers_the_category_and_those_under_it_in_any_case(category: str, matches: bool) -> None:
    rule = DealRule(uuid.uuid4(), "fittings", "sup", None, category, Decimal(5), None, None)
    assert rule.matches("sup", "p_0123456789abcdef", "Plumbing > Fittings > Copper") is matches
    assert not rule.matches("other-sup", "p_0123456789abcdef", "Plumbing > Fittings > Copper")


def test_a_deal_can_make_another_suppliers_offer_the_cheapest(
    api: httpx.Client, db: Database, make_tenant: Callable[..., Tenant], suppliers: tuple[str, str]
) -> None:
    """The copper pipe: one's 25.00 for 10 ft (2.50/LF) is dearer than two's 2.40/LF. With 20% off
    one's pipe, a builder on the deal's plan pays 2.00/LF at one: the search shows one's offer, and
    the product lists it first; a builder on another plan still sees two's."""
    one, two = suppliers
    starter = make_tenant("starter")

    def pipe(tenant: Tenant) -> dict[str, Any]:
        resp = api.get(PRODUCTS, params={"q": "copper pipe", "zip": "10001"}, headers=tenant.auth)
        assert resp.status_code == 200, resp.text
        hit: dict[str, Any] = next(h for h in resp.json()["data"] if h["manufacturer"] == "Mueller")
        return hit

    before = pipe(starter)
    assert before["offer"]["supplier"] == two and before["offer_count"] == 2
    _deal(db, supplier=one, product_id=before["product_id"], discount_percent=Decimal("20"), plans=["starter"])
    after = pipe(starter)["offer"]
    assert (after["supplier"], after["unit_price"], after["deal_price"]) == (one, "25.00", "20.00")
    detail = api.get(f"{PRODUCTS}/{before['product_id']}", params={"zip": "10001"}, headers=starter.auth).json()
    assert [(o["supplier"], o["deal_price"]) for o in detail["offers"]] == [(one, "20.00"), (two, None)]
    assert pipe(make_tenant("business"))["offer"]["supplier"] == two


def test_a_process_prices_with_the_deals_it_read_for_a_few_seconds(
    api: httpx.Client,
    settings: Settings,
    db: Database,
    make_tenant: Callable[..., Tenant],
    suppliers: tuple[str, str],
    tmp_path: Path,
) -> None:
    """Every catalog read needs the caller's plan's deals: a process reads them once per
    JOIST_DEALS_CACHE_SECONDS per plan, so a new deal reaches its prices within that time (the
    suite's servers read them for every request)."""
    _, two = suppliers
    build_snapshot(tmp_path, suppliers)
    cached = start_server(create_app(settings.with_(data_dir=tmp_path, deals_cache_seconds=3600)))
    tenant = make_tenant("professional")
    try:
        with cached.client() as other:

            def romex(client: httpx.Client) -> Any:
                resp = client.get(PRODUCTS, params={"q": "romex", "supplier": two}, headers=tenant.auth)
                assert resp.status_code == 200, resp.text
                return resp.json()["data"][0]["offer"]["deal_price"]

            assert romex(other) is None and romex(api) is None
            _deal(db, supplier=two, category="Electrical", discount_percent=Decimal("10"), plans=["professional"])
            assert romex(api) == "24.75"
            assert romex(other) is None  # read before the deal, less than an hour ago
    finally:
        cached.stop()


def test_cli_refuses_a_deal_on_a_product_the_published_catalog_lacks(
    cli_env: dict[str, str], tmp_path: Path, suppliers: tuple[str, str]
) -> None:
    from warehouse.catalog import CatalogReader

    data_dir = tmp_path / "data"
    build_snapshot(data_dir, suppliers)
    reader = CatalogReader(data_dir)
    try:
        product_id = reader.search_products(limit=1).items[0].product_id
    finally:
        reader.close()
    env = {**cli_env, "JOIST_DATA_DIR": str(data_dir)}
    supplier = f"cli-sup-{uuid.uuid4().hex[:8]}"
    joist(env, "orgs", "create", "--kind", "supplier", "--slug", supplier, "--name", "CLI Supply")

    def deal(product: str) -> Any:
        return joist(
            env, "deals", "create", "--name", f"{product} {supplier}", "--supplier", supplier, "--product", product,
            "--percent", "3", "--plans", "starter", check=False,
        )  # fmt: skip

    missing = deal("p_0000000000000000")
    assert missing.returncode != 0 and "no product 'p_0000000000000000' in the published catalog" in missing.stderr
    assert deal(product_id).returncode == 0
