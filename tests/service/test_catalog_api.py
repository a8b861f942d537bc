"""The catalog, pricing and cost-data API over a published snapshot (built with the warehouse
functions in a temporary data dir): search, detail, cost items, estimates, and the reader's
errors as problems."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import anyio
import httpx
import pytest

from service.app import create_app
from service.db.database import Database
from service.settings import Settings
from tests.conftest import LiveServer, Tenant, start_server
from tests.helpers import assert_problem, assert_validation_problem
from tests.service.feed_helpers import build_snapshot, make_org
from warehouse.snapshots import publish_snapshot
from warehouse.store import connect_warehouse

PRODUCTS = "/api/v1/catalog/products"
ITEMS = "/api/v1/cost-data/items"
ESTIMATE = "/api/v1/cost-data/estimate"


@pytest.fixture(scope="module")
def suppliers() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8]
    return (f"cat-one-{tag}", f"cat-two-{tag}")


@pytest.fixture(scope="module")
def catalog_server(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, suppliers: tuple[str, str]
) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("catalog-data")
    build_snapshot(data_dir, suppliers)
    live = start_server(create_app(settings.with_(data_dir=data_dir)))
    yield live
    live.stop()


@pytest.fixture
def api(catalog_server: LiveServer) -> Iterator[httpx.Client]:
    with catalog_server.client() as c:
        yield c


def _search(api: httpx.Client, tenant: Tenant, **params: str) -> dict[str, object]:
    resp = api.get(PRODUCTS, params=params, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    body: dict[str, object] = resp.json()
    return body


def test_search_ranks_and_prices_for_the_zip(api: httpx.Client, tenant: Tenant, suppliers: tuple[str, str]) -> None:
    one, two = suppliers
    page = _search(api, tenant, q="copper pipe")
    hits = page["data"]
    assert isinstance(hits, list) and hits
    assert hits[0]["name"].lower().startswith(("copper pipe", "type l copper"))
    pipe = next(h for h in hits if h["manufacturer"] == "Mueller")
    # cheapest per base unit everywhere: two's 2.40/LF beats one's 25.00 per 10 LF
    assert (pipe["offer"]["supplier"], pipe["offer"]["price_per_base_unit"], pipe["offer"]["base_uom"]) == (
        two,
        "2.40",
        "LF",
    )
    assert pipe["offer_count"] == 2
    assert page["snapshot"] and str(page["snapshot"]).startswith("catalog-")
    for hit in hits:  # money and quantities are decimal strings, never floats
        assert isinstance(hit["offer"]["unit_price"], str)
        Decimal(hit["offer"]["unit_price"])
        assert hit["offer"]["deal_price"] is None and hit["offer"]["deal"] is None

    detail = api.get(f"{PRODUCTS}/{pipe['product_id']}", params={"zip": "80202"}, headers=tenant.auth)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["zip_area"] == "802"
    by_supplier = {o["supplier"]: o for o in body["offers"]}
    assert (by_supplier[one]["price_region"], by_supplier[one]["unit_price"]) == ("802", "27.50")
    assert by_supplier[one]["content_per_order_uom"] == "10"
    assert [o["supplier"] for o in body["offers"]] == [two, one]  # cheapest per base unit first
    assert body["price_history"] and body["price_history"][0]["effective_from"].endswith("Z")


def test_filters_and_pagination(api: httpx.Client, tenant: Tenant, suppliers: tuple[str, str]) -> None:
    one, _ = suppliers
    everything = _search(api, tenant, limit="100")["data"]
    assert isinstance(everything, list) and len(everything) == 5  # 4 offered, 1 sold by its maker only
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = _search(api, tenant, **params)
        seen += [h["product_id"] for h in page["data"]]  # type: ignore[union-attr]
        cursor = page["next_cursor"]  # type: ignore[assignment]
        if cursor is None:
            break
    assert sorted(seen) == sorted(h["product_id"] for h in everything) and len(set(seen)) == len(seen)
    # a cursor is a place in one query's ranking: another query's cursor is a 400, not a wrong page
    started = _search(api, tenant, limit="1")
    resp = api.get(PRODUCTS, params={"q": "copper", "cursor": started["next_cursor"]}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(resp)] == ["cursor"]

    lumber = _search(api, tenant, category="Lumber")["data"]
    assert _search(api, tenant, category="lUMBER")["data"] == lumber  # a category filter ignores case
    assert [h["category"] for h in lumber] == ["Lumber > Dimensional"]  # type: ignore[index]
    stocked = _search(api, tenant, category="Lumber", in_stock="true")["data"]
    assert [h["offer"]["supplier"] for h in stocked] == [one]  # type: ignore[index]
    only_one = _search(api, tenant, supplier=one)["data"]
    assert {h["offer"]["supplier"] for h in only_one} == {one}  # type: ignore[index]
    cheap = _search(api, tenant, max_price="3.00")["data"]
    assert all(Decimal(h["offer"]["unit_price"]) <= 3 for h in cheap)  # type: ignore[index]
    assert _search(api, tenant, min_price="1000")["data"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zip": "8020"}, "zip"),
        ({"zip": "\uff18\uff10\uff12"}, "zip"),  # fullwidth digits: no ZIP has them
        ({"zip": "\u0668\u0660\u0662\u0660\u0662"}, "zip"),  # Arabic-Indic digits
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"min_price": "5", "max_price": "1"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "cheap"}, "max_price"),
        ({"limit": "500"}, "limit"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_search_parameters_are_400(api: httpx.Client, tenant: Tenant, params: dict[str, str], field: str) -> None:
    resp = api.get(PRODUCTS, params=params, headers=tenant.auth)
    errors = assert_validation_problem(resp)
    assert field in {e["field"] for e in errors}, errors
    assert not resp.json()["detail"].startswith(f"{field}: {field} ")  # the field named once


def test_a_flag_that_is_not_true_or_false_says_which_values_are(api: httpx.Client, tenant: Tenant) -> None:
    resp = api.get(PRODUCTS, params={"in_stock": "yes"}, headers=tenant.auth)
    (error,) = assert_validation_problem(resp)
    assert error == {"field": "in_stock", "detail": "must be true or false (or 1 or 0)"}
    assert _search(api, tenant, in_stock="1")["data"] == _search(api, tenant, in_stock="TRUE")["data"]


def test_the_supplier_filter_takes_a_slug_in_any_case(api: httpx.Client, tenant: Tenant) -> None:
    supplier = _search(api, tenant, category="Lumber")["data"][0]["offer"]["supplier"]
    lower = _search(api, tenant, supplier=supplier)["data"]
    assert lower and lower == _search(api, tenant, supplier=supplier.upper())["data"]


def test_a_product_only_its_maker_sells_has_no_offer_and_its_list_price(api: httpx.Client, tenant: Tenant) -> None:
    (door,) = _search(api, tenant, q="trustile door", zip="80202")["data"]
    assert door["offer"] is None and door["offer_count"] == 0
    assert (door["list_price"], door["list_price_currency"], door["list_price_uom"]) == ("412.00", "USD", "EA")
    assert (door["manufacturer_lead_time_days"], door["discontinued"]) == (21, False)
    assert _search(api, tenant, q="trustile door", in_stock="true")["data"] == []  # no stock to have
    detail = api.get(f"{PRODUCTS}/{door['product_id']}", headers=tenant.auth).json()
    assert detail["offers"] == [] and detail["list_price"] == "412.00"
    assert detail["manufacturer_lead_time_days"] == 21


def test_unknown_product_is_404(api: httpx.Client, tenant: Tenant) -> None:
    assert_problem(api.get(f"{PRODUCTS}/p_0000000000000000", headers=tenant.auth), 404)
    assert_problem(api.get(f"{PRODUCTS}/nonsense", headers=tenant.auth), 404)


def test_cost_items_are_adjusted_by_the_zip_areas_division_index(api: httpx.Client, tenant: Tenant) -> None:
    national = api.get(ITEMS, params={"masterformat": "06 11"}, headers=tenant.auth)
    assert national.status_code == 200, national.text
    items = national.json()["data"]
    assert items and all(i["line_number"].startswith("06 11") for i in items)
    assert all(i["index_applied"] is False and i["material_index"] == "100" for i in items)
    boston = api.get(ITEMS, params={"masterformat": "06 11", "zip": "02108"}, headers=tenant.auth).json()
    assert boston["zip_area"] == "021"
    first, there = items[0], boston["data"][0]
    assert there["line_number"] == first["line_number"] and there["index_applied"] is True
    expected = (Decimal(first["material"]) * Decimal(there["material_index"]) / 100).quantize(Decimal("0.01"))
    assert abs(Decimal(there["material"]) - expected) <= Decimal("0.01")
    text = api.get(ITEMS, params={"q": "concrete"}, headers=tenant.auth).json()["data"]
    assert text and all("oncrete" in i["description"] for i in text)
    assert_validation_problem(api.get(ITEMS, params={"masterformat": "walls"}, headers=tenant.auth))
    assert_validation_problem(api.get(ITEMS, params={"masterformat": "\uff10\uff16"}, headers=tenant.auth))
    assert_validation_problem(api.get(ITEMS, params={"zip": "\uff18\uff10\uff12"}, headers=tenant.auth))


def test_cost_items_page_by_cursor_within_one_query(api: httpx.Client, tenant: Tenant) -> None:
    for params in ({}, {"q": "concrete"}, {"masterformat": "03", "zip": "02108"}):
        everything = api.get(ITEMS, params={**params, "limit": "100"}, headers=tenant.auth).json()["data"]
        assert len(everything) > 2, params
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page = api.get(
                ITEMS, params={**params, "limit": "2"} | ({"cursor": cursor} if cursor else {}), headers=tenant.auth
            ).json()
            seen += [i["line_number"] for i in page["data"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [i["line_number"] for i in everything], params
    first = api.get(ITEMS, params={"limit": "1"}, headers=tenant.auth).json()["next_cursor"]
    other = api.get(ITEMS, params={"masterformat": "06", "cursor": first}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(other)] == ["cursor"]


def test_estimate_totals_lines_for_a_zip(api: httpx.Client, tenant: Tenant) -> None:
    items = api.get(ITEMS, params={"limit": "2"}, headers=tenant.auth).json()["data"]
    lines = [{"item": items[0]["line_number"], "quantity": "10"}, {"item": items[1]["line_number"], "quantity": "2.5"}]
    resp = api.post(ESTIMATE, json={"zip": "80202", "lines": lines}, headers=tenant.auth)
    assert resp.status_code == 200, resp.text
    est = resp.json()
    assert est["zip_area"] == "802" and est["currency"] == "USD"
    assert [line["quantity"] for line in est["lines"]] == ["10", "2.5"]
    for part in ("material", "labor", "equipment", "total", "total_incl_op"):
        assert Decimal(est[part]) == sum(Decimal(line[part]) for line in est["lines"]), part
    for line in est["lines"]:
        # The parts are the item's location-adjusted unit costs times the quantity, rounded to
        # the cent, and the line's total is their sum, so what is shown always adds up ...
        assert Decimal(line["total"]) == Decimal(line["material"]) + Decimal(line["labor"]) + Decimal(line["equipment"])
        # ... and stays within a cent per part of the rounded unit total times the quantity.
        unit_total = Decimal(line["item"]["total"]) * Decimal(line["quantity"])
        assert abs(Decimal(line["total"]) - unit_total) <= Decimal("0.01") * (3 + Decimal(line["quantity"]))
    parts = Decimal(est["material"]) + Decimal(est["labor"]) + Decimal(est["equipment"])
    assert Decimal(est["total"]) == parts


def test_estimate_prices_lines_from_unrounded_unit_costs(api: httpx.Client, tenant: Tenant) -> None:
    # the reviewer's case: 0.78 material and 0.98 labor a BF, Boston's division 06 at 106.3 / 136.3,
    # so a BF is 0.82914 / 1.33574 (shown as 0.83 / 1.34), and 10,000 BF are not 8300.00 / 13400.00
    resp = api.post(
        ESTIMATE,
        json={"zip": "02110", "lines": [{"item": "06 11 10.14 0100", "quantity": "10000"}]},
        headers=tenant.auth,
    )
    assert resp.status_code == 200, resp.text
    est = resp.json()
    expected = {
        "material": "8291.40",
        "labor": "13357.40",
        "equipment": "0.00",
        "total": "21648.80",
        "total_incl_op": "28906.07",  # 2.35 × (2.16488 / 1.76) × 10,000 = 28906.068…
    }
    assert {part: est["lines"][0][part] for part in expected} == expected
    assert {part: est[part] for part in expected} == expected


def test_cost_item_figures_add_up_and_are_an_estimates_unit(api: httpx.Client, tenant: Tenant) -> None:
    boston = api.get(ITEMS, params={"zip": "02110", "limit": "100"}, headers=tenant.auth).json()["data"]
    rebar = next(i for i in boston if i["line_number"] == "03 21 11.60 0100")
    # 1253.25896 + 1628.175 is 2881.43 rounded, but the parts shown are 1253.26 + 1628.18
    assert (rebar["material"], rebar["labor"], rebar["equipment"], rebar["total"]) == (
        "1253.26",
        "1628.18",
        "0.00",
        "2881.44",
    )
    parts = ("material", "labor", "equipment", "total", "total_incl_op")
    for item in boston:
        assert Decimal(item["total"]) == sum(Decimal(item[p]) for p in ("material", "labor", "equipment")), item
    lines = [{"item": i["line_number"], "quantity": "1"} for i in boston]
    est = api.post(ESTIMATE, json={"zip": "02110", "lines": lines}, headers=tenant.auth).json()
    for item, line in zip(boston, est["lines"], strict=True):
        assert {p: line[p] for p in parts} == {p: item[p] for p in parts}, item["line_number"]


def test_estimate_errors_name_what_is_wrong(api: httpx.Client, tenant: Tenant) -> None:
    known = api.get(ITEMS, params={"limit": "1"}, headers=tenant.auth).json()["data"][0]["line_number"]
    unknown = api.post(
        ESTIMATE,
        json={"lines": [{"item": known, "quantity": "1"}, {"item": "99 99 99.99 9999", "quantity": "1"}]},
        headers=tenant.auth,
    )
    body = assert_problem(unknown, 422)
    assert body["type"].endswith(":unknown-cost-items")
    assert body["unknown_items"] == ["99 99 99.99 9999"]
    assert [e["field"] for e in body["errors"]] == ["lines[1].item"]
    # an unknown item on two lines is listed once, in the order first named; errors name each line
    repeated = api.post(
        ESTIMATE,
        json={"lines": [{"item": i, "quantity": "1"} for i in ("bad2", "bad1", known, "bad1", "bad2")]},
        headers=tenant.auth,
    )
    body = assert_problem(repeated, 422)
    assert body["unknown_items"] == ["bad2", "bad1"]
    assert [e["field"] for e in body["errors"]] == ["lines[0].item", "lines[1].item", "lines[3].item", "lines[4].item"]
    # and the document says the operation answers it
    spec = api.get("/api/v1/openapi.json").json()
    assert "unknown-cost-items" in spec["paths"][ESTIMATE]["post"]["responses"]["422"]["description"]
    negative = api.post(ESTIMATE, json={"lines": [{"item": known, "quantity": "-2"}]}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(negative)] == ["lines[0].quantity"]
    # beyond what money can hold exactly: a 400 naming the line, never a 500
    for quantity, why in [("1e25", "at most 1,000,000,000"), ("1e-13", "at most 6 decimal places"), ("NaN", "zero")]:
        resp = api.post(ESTIMATE, json={"lines": [{"item": known, "quantity": quantity}]}, headers=tenant.auth)
        errors = assert_validation_problem(resp)
        assert [e["field"] for e in errors] == ["lines[0].quantity"] and why in errors[0]["detail"], (quantity, errors)
    long_list = "[" + "0," * 200_000 + "1e999]"  # found quickly, or not looked for past a limit
    slow = api.post(
        ESTIMATE, content='{"lines": ' + long_list + "}", headers={**tenant.auth, "Content-Type": "application/json"}
    )
    assert [e["field"] for e in assert_validation_problem(slow)] == ["body"]  # past the values looked at
    for number in ("1e999999999", "1e400", "-1e999999999"):  # a JSON number, read digit for digit
        body = f'{{"lines": [{{"item": "{known}", "quantity": {number}}}]}}'
        resp = api.post(ESTIMATE, content=body, headers={**tenant.auth, "Content-Type": "application/json"})
        assert [e["field"] for e in assert_validation_problem(resp)] == ["lines[0].quantity"], (number, resp.text)
    # an exponent in, plain digits out
    plain = api.post(ESTIMATE, json={"lines": [{"item": known, "quantity": "1e3"}]}, headers=tenant.auth)
    assert plain.status_code == 200 and plain.json()["lines"][0]["quantity"] == "1000"
    assert_validation_problem(api.post(ESTIMATE, json={"lines": []}, headers=tenant.auth))
    assert_validation_problem(api.post(ESTIMATE, json={"lines": [{"item": known}]}, headers=tenant.auth))
    bad_zip = api.post(ESTIMATE, json={"zip": "x", "lines": [{"item": known, "quantity": "1"}]}, headers=tenant.auth)
    assert [e["field"] for e in assert_validation_problem(bad_zip)] == ["zip"]


def test_scope_and_account_are_enforced(api: httpx.Client, make_tenant: Callable[..., Tenant], db: Database) -> None:
    no_catalog = make_tenant(scopes=["read:projects"])
    denied = assert_problem(api.get(PRODUCTS, headers=no_catalog.auth), 403)
    assert denied["required_scope"] == "read:catalog"
    assert "'write:catalog', which includes it" in denied["detail"]  # what an org key can hold
    assert_problem(api.get(PRODUCTS), 401)
    supplier = make_org(db)
    assert_problem(api.get(ITEMS, headers=supplier.auth), 403)


def test_nothing_published_is_503_with_retry_after(client: httpx.Client, tenant: Tenant, settings: Settings) -> None:
    assert not (Path(settings.data_dir) / "serving" / "catalog" / "CURRENT").exists()
    for resp in (
        client.get(PRODUCTS, params={"q": "pipe"}, headers=tenant.auth),
        client.get(ITEMS, headers=tenant.auth),
        client.post(ESTIMATE, json={"lines": [{"item": "03 30 53.40 4300", "quantity": "1"}]}, headers=tenant.auth),
    ):
        body = assert_problem(resp, 503)
        assert body["type"].endswith(":snapshot-unavailable")
        assert resp.headers["retry-after"] == "60"


def test_the_service_opens_each_published_snapshot_before_any_request(
    settings: Settings, tmp_path: Path, suppliers: tuple[str, str]
) -> None:
    build_snapshot(tmp_path, suppliers)
    live = start_server(create_app(settings.with_(data_dir=tmp_path)))
    reader = live.app.state.catalog_reader
    try:
        # no request is made: the process opens what is current on its own, then each new publish
        _wait_until(lambda: reader.catalog.loaded_snapshot_id == reader.catalog.snapshot_id is not None)
        _wait_until(lambda: reader.cost_data.loaded_snapshot_id == reader.cost_data.snapshot_id is not None)
        first = reader.catalog.loaded_snapshot_id
        conn = connect_warehouse(tmp_path)
        try:
            second = publish_snapshot(conn, data_dir=tmp_path, product="catalog").snapshot_id
        finally:
            conn.close()
        _wait_until(lambda: reader.catalog.loaded_snapshot_id == second)
        assert second != first
    finally:
        live.stop()
    assert reader.catalog.loaded_snapshot_id is None  # closed at shutdown, and not opened again
    assert reader.cost_data.loaded_snapshot_id is None


def _wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the service did not open the current snapshot in time"
        time.sleep(0.05)


def test_an_estimate_in_two_currencies_is_a_422_naming_the_lines_apart_from_the_main_currency() -> None:
    """The cost book may price lines in several currencies; one estimate cannot sum them. The lines
    not in the currency most lines share are named (the warehouse test builds such a book)."""
    from service.catalog import services
    from warehouse.catalog import MixedCurrencies

    def estimate() -> None:
        raise MixedCurrencies(["USD", "CAD", "USD", "CAD", "USD"])

    with pytest.raises(services.MixedCurrencyLines) as raised:
        anyio.run(services.call_reader, estimate)
    problem = raised.value
    assert (problem.status, problem.slug) == (422, "mixed-currencies")
    assert [(e.field, e.detail) for e in problem.errors] == [
        ("lines[1].item", "priced in CAD; the estimate's other lines are in USD"),
        ("lines[3].item", "priced in CAD; the estimate's other lines are in USD"),
    ]
    assert "CAD, USD" in problem.detail
