"""The read API the catalog and cost-data endpoints call: search, detail, cost items, estimates."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from contracts.samples import write_cost_items_csv, write_location_index_csv
from contracts.schemas import NO_PRICE_COMPARISON
from tests.warehouse.conftest import OFFER_RULES_SQL, T0, ingest, offer, write_feed
from warehouse.catalog import (
    CatalogReader,
    CostItem,
    InvalidQuery,
    MixedCurrencies,
    PriceCut,
    UnknownCostItems,
    zip_area,
)
from warehouse.snapshots import publish_snapshot
from warehouse.store import connect_warehouse

PIPE = {"manufacturer": "Mueller", "manufacturer_part_number": "CU-L-050", "category": "Plumbing > Pipe > Copper"}
FITTING = {"manufacturer": "NIBCO", "manufacturer_part_number": "607-050", "category": "Plumbing > Fittings > Copper"}


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CatalogReader]:
    tmp_path = tmp_path_factory.mktemp("catalog")
    data_dir = tmp_path / "data"
    conn = connect_warehouse(data_dir)
    one = [
        offer(
            "P1",
            "25.00",
            name="Copper pipe type L 1/2 in x 10 ft",
            order_uom="EA",
            content_uom="LF",
            content_per_order_uom="10",
            available_qty="40",
            lead_time_days="2",
            **PIPE,
        ),
        offer(
            "P1",
            "27.50",
            region="802",
            name="Copper pipe type L 1/2 in x 10 ft",
            order_uom="EA",
            content_uom="LF",
            content_per_order_uom="10",
            available_qty="0",
            **PIPE,
        ),
        offer(
            "F1",
            "30.00",
            name="Copper 90 degree elbow 1/2 in",
            order_uom="BOX",
            content_uom="EA",
            content_per_order_uom="25",
            available_qty="5",
            **FITTING,
        ),
        offer("S1", "4.10", name="2x4 x 8 ft SPF stud", category="Lumber > Dimensional Lumber", available_qty="900"),
    ]
    two = [
        offer("X-9", "2.40", name="Type L copper tube 1/2in", order_uom="LF", available_qty="1000", **PIPE),
        offer("X-9", "2.60", region="100", name="Type L copper tube 1/2in", order_uom="LF", **PIPE),
        offer("E-2", "1.10", name="Elbow copper 90 1/2 in C x C", order_uom="EA", available_qty="300", **FITTING),
    ]
    three = [offer("Q", "2.00", name="Copper pipe type L 1/2 in", order_uom="LF", **PIPE)]
    assert ingest(
        conn, write_feed(tmp_path / "1.csv", "supplier_catalog", one), submission_id="1", source="one"
    ).accepted
    assert ingest(
        conn, write_feed(tmp_path / "2.csv", "supplier_catalog", two), submission_id="2", source="two"
    ).accepted
    assert ingest(
        conn,
        write_feed(tmp_path / "3.csv", "supplier_catalog", three),
        submission_id="3",
        source="three",
        terms=[NO_PRICE_COMPARISON],
    ).accepted
    makers = [
        {
            "manufacturer": "Mueller",
            "model_number": "CU-L-050",
            "name": "Copper tube L 1/2",
            "list_price": "3.10",
            "currency": "USD",
            "uom": "LF",
        },
        {
            "manufacturer": "NIBCO",
            "model_number": "607-050",
            "name": "Elbow 1/2",
            "list_price": "1.95",
            "currency": "USD",
        },
    ]
    assert ingest(
        conn, write_feed(tmp_path / "m.csv", "manufacturer_feed", makers), feed="manufacturer_feed", submission_id="m"
    ).accepted
    costs = write_cost_items_csv(tmp_path / "c.csv", 66)
    assert ingest(conn, costs.path, feed="cost_items", submission_id="c").accepted
    assert ingest(
        conn, write_location_index_csv(tmp_path / "l.csv").path, feed="location_index", submission_id="l"
    ).accepted
    publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
    publish_snapshot(conn, data_dir=data_dir, product="cost_data", now=T0)
    conn.close()
    catalog = CatalogReader(data_dir)
    yield catalog
    catalog.close()


def test_full_text_search_ranks_by_relevance(reader: CatalogReader) -> None:
    page = reader.search_products(q="copper pipe")
    names = [h.name for h in page.items]
    assert names[0] == "Copper pipe type L 1/2 in x 10 ft"
    assert "2x4 x 8 ft SPF stud" not in names
    scores = [h.score for h in page.items]
    assert scores == sorted(scores, reverse=True)
    # stemming: "elbows" finds "elbow"
    assert {h.name for h in reader.search_products(q="elbows").items} == {"Copper 90 degree elbow 1/2 in"}


def test_cheapest_offer_per_base_unit_and_regional_precedence(reader: CatalogReader) -> None:
    # everywhere: pipe at 2.50/LF (one), 2.40/LF (two); three forbids comparison but still sells
    # (three's 2.00/LF is lower, but its terms keep it out of comparisons)
    hit = next(h for h in reader.search_products(q="copper pipe").items if h.manufacturer == "Mueller")
    assert (hit.offer.supplier, hit.offer.price_per_base_unit, hit.offer.base_uom) == (
        "two",
        Decimal("2.40000000"),
        "LF",
    )
    assert hit.offer_count == 3
    # in 802 supplier one's regional row (27.50 per 10 LF) replaces its * row
    detail = reader.get_product(hit.product_id, zip_code="80202")
    assert detail is not None
    by_supplier = {o.supplier: o for o in detail.offers}
    assert by_supplier["one"].price_region == "802"
    assert by_supplier["one"].unit_price == Decimal("27.5000")
    assert by_supplier["two"].price_region == "*"
    # comparable offers cheapest per base unit first, the no-comparison source after them
    assert [o.supplier for o in detail.offers] == ["two", "one", "three"]
    assert detail.offers[-1].price_comparison_allowed is False
    # in 100 supplier two's regional row wins
    detail_ny = reader.get_product(hit.product_id, zip_code="10001")
    assert detail_ny is not None
    assert {o.supplier: o.unit_price for o in detail_ny.offers}["two"] == Decimal("2.6000")
    assert {o.supplier: o.price_region for o in detail_ny.offers}["one"] == "*"


def test_filters(reader: CatalogReader) -> None:
    lumber = reader.search_products(category="Lumber")
    assert [h.name for h in lumber.items] == ["2x4 x 8 ft SPF stud"]
    assert reader.search_products(category="Lumb").items == []
    only_one = reader.search_products(q="copper", supplier="one")
    assert {h.offer.supplier for h in only_one.items} == {"one"}
    # in 802 supplier one's pipe is out of stock (its regional row says 0)
    in_stock = reader.search_products(q="pipe", supplier="one", zip_code="802", in_stock=True)
    assert in_stock.items == []
    cheap = reader.search_products(q="copper", max_price=Decimal("3"))
    assert all(h.offer.unit_price <= 3 for h in cheap.items)
    assert reader.search_products(q="copper", min_price=Decimal("26"), max_price=Decimal("28"), zip_code="802").items


def test_keyset_pagination_visits_every_product_once(reader: CatalogReader) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = reader.search_products(limit=1, cursor=cursor)
        seen += [h.product_id for h in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 3
    ranked = reader.search_products(q="copper", limit=1)
    assert ranked.next_cursor is not None
    rest = reader.search_products(q="copper", limit=10, cursor=ranked.next_cursor)
    assert ranked.items[0].product_id not in {h.product_id for h in rest.items}
    # the limit may change between pages; the query may not (the cursor is a place in its ranking)
    first = reader.search_products(limit=1)
    assert first.next_cursor is not None
    for other in ({"q": "copper"}, {"zip_code": "802"}, {"in_stock": True}, {"max_price": Decimal(100)}):
        with pytest.raises(InvalidQuery, match="other parameters"):
            reader.search_products(limit=1, cursor=first.next_cursor, **other)  # type: ignore[arg-type]
    with pytest.raises(InvalidQuery, match="other parameters"):
        reader.search_products(q="elbow", cursor=ranked.next_cursor)
    # what the reader understands as the same query is the same query
    assert reader.search_products(q=" copper ", limit=5, cursor=ranked.next_cursor).items == rest.items[:5]


def test_price_history_in_detail(reader: CatalogReader) -> None:
    hit = reader.search_products(q="elbow").items[0]
    detail = reader.get_product(hit.product_id)
    assert detail is not None
    assert {(p.supplier, p.unit_price, p.effective_to) for p in detail.price_history} == {
        ("one", Decimal("30.0000"), None),
        ("two", Decimal("1.1000"), None),
    }
    assert reader.get_product("p_nope") is None


def test_the_list_price_says_which_unit_it_is_for(reader: CatalogReader) -> None:
    pipe = reader.get_product(reader.search_products(q="CU-L-050").items[0].product_id)
    elbow = reader.get_product(reader.search_products(q="607-050").items[0].product_id)
    stud = reader.get_product(reader.search_products(q="stud").items[0].product_id)
    assert pipe is not None and elbow is not None and stud is not None
    assert (pipe.list_price, pipe.list_price_uom) == (Decimal("3.1000"), "LF")
    assert (elbow.list_price, elbow.list_price_uom) == (Decimal("1.9500"), "EA")  # the feed's default unit
    assert (stud.list_price, stud.list_price_uom) == (None, None)  # no manufacturer data


def test_cost_items_adjusted_by_division_index(reader: CatalogReader) -> None:
    national = reader.list_cost_items(masterformat="06 11 10.10")
    local = reader.list_cost_items(masterformat="061110.10", zip_code="10001")
    assert [i.line_number for i in national.items] == [i.line_number for i in local.items]
    n, x = national.items[0], local.items[0]
    assert not n.index_applied
    assert x.index_applied
    assert x.location == "New York, NY"
    assert x.material == (n.material * x.material_index / 100).quantize(Decimal("0.01"))
    assert x.labor == (n.labor * x.installation_index / 100).quantize(Decimal("0.01"))
    assert x.labor > n.labor  # New York labor costs more
    assert reader.list_cost_items(q="gypsum wallboard").items[0].division == "09"


@pytest.mark.parametrize(
    ("q", "lines"),
    [
        ("concrete footings", ["03 31 13.70 0100", "03 31 13.70 0110"]),  # every word, as product search
        ("footings the concrete", ["03 31 13.70 0100", "03 31 13.70 0110"]),  # stop words aside
        ("gypsum xyzzy", []),  # a word no line has: nothing has every word
        ("the of", []),  # only stop words: no word to match
    ],
)
def test_cost_items_match_every_word_of_q(reader: CatalogReader, q: str, lines: list[str]) -> None:
    assert sorted(i.line_number for i in reader.list_cost_items(q=q).items) == lines
    unknown_area = reader.list_cost_items(masterformat="06", zip_code="59901")
    assert not unknown_area.items[0].index_applied


def test_estimate(reader: CatalogReader) -> None:
    item = reader.list_cost_items(masterformat="09 29 10.30", zip_code="802").items[0]
    estimate = reader.estimate([(item.line_number, Decimal(100)), (item.line_number, Decimal("0.5"))], zip_code="80202")
    assert estimate.zip_area == "802"
    assert estimate.currency == "USD"
    # each line's part is its quantity times the unrounded unit cost (the bare cost, which is the
    # national figure, scaled by the area's index), rounded to the cent
    bare = reader.list_cost_items(masterformat="09 29 10.30").items[0].material
    unit = bare * item.material_index / 100
    cents = Decimal("0.01")
    assert estimate.material == (unit * 100).quantize(cents, ROUND_HALF_UP) + (unit / 2).quantize(cents, ROUND_HALF_UP)
    assert estimate.total == estimate.material + estimate.labor + estimate.equipment
    with pytest.raises(UnknownCostItems) as missing:
        reader.estimate([("99 99 99.99 9999", Decimal(1))])
    assert missing.value.line_numbers == ["99 99 99.99 9999"]
    # whitespace of any kind between the parts is the same item (a tab pasted from a spreadsheet)
    tabbed = item.line_number.replace(" ", "\t")
    again = reader.estimate([(tabbed, Decimal(100)), (item.line_number, Decimal("0.5"))], zip_code="80202")
    assert again.material == estimate.material


def test_estimate_prices_each_part_from_the_unrounded_unit_cost(reader: CatalogReader) -> None:
    # 06 11 10.14 0100 costs 0.78 material and 0.98 labor a BF (2.35 incl. O&P); Boston's division
    # 06 indexes are 106.3 and 136.3, so a BF there is 0.82914 material and 1.33574 labor: shown
    # as 0.83 and 1.34, but 10,000 BF are 8291.40 and 13357.40, not 8300.00 and 13400.00.
    estimate = reader.estimate([("06 11 10.14 0100", Decimal(10000))], zip_code="02110")
    (line,) = estimate.lines
    assert (line.item.material, line.item.labor, line.item.total) == (Decimal("0.83"), Decimal("1.34"), Decimal("2.17"))
    cents = Decimal("0.01")
    # incl. O&P: 2.35 scaled by the blend of the indexes, (0.82914 + 1.33574) / 1.76
    incl_op = (Decimal("2.35") * Decimal("2.16488") / Decimal("1.76") * 10000).quantize(cents, ROUND_HALF_UP)
    expected = (Decimal("8291.40"), Decimal("13357.40"), Decimal("0.00"), Decimal("21648.80"), incl_op)
    assert incl_op == Decimal("28906.07")
    assert (line.material, line.labor, line.equipment, line.total, line.total_incl_op) == expected
    assert (estimate.material, estimate.labor, estimate.equipment, estimate.total, estimate.total_incl_op) == expected
    # each part rounds once, half up: 0.5 BF of labor is 0.66787, so 0.67
    half = reader.estimate([("06 11 10.14 0100", Decimal("0.5"))], zip_code="02110").lines[0]
    assert (half.material, half.labor, half.total) == (Decimal("0.41"), Decimal("0.67"), Decimal("1.08"))


def test_estimate_totals_are_the_sums_of_the_lines(reader: CatalogReader) -> None:
    lines = [("06 11 10.14 0100", Decimal("333.3")), ("03 21 11.60 0100", Decimal("2.125")), ("06 11 10.14 0100", 7)]
    estimate = reader.estimate([(n, Decimal(q)) for n, q in lines], zip_code="02110")
    for part in ("material", "labor", "equipment", "total", "total_incl_op"):
        assert getattr(estimate, part) == sum(getattr(x, part) for x in estimate.lines), part
    for x in estimate.lines:
        assert x.total == x.material + x.labor + x.equipment
    assert estimate.total == estimate.material + estimate.labor + estimate.equipment


def test_an_estimate_of_lines_in_two_currencies_names_each_lines_currency(tmp_path: Path) -> None:
    def item(line: str, currency: str) -> dict[str, object]:
        return {"line_number": line, "description": f"Item {line}", "unit": "SF", "bare_material": "1.00",
                "bare_labor": "2.00", "bare_equipment": "0", "total_incl_op": "4.00", "currency": currency}  # fmt: skip

    data_dir = tmp_path / "data"
    conn = connect_warehouse(data_dir)
    try:
        book = [item("03 11 13.35 0100", "USD"), item("06 11 10.10 0100", "CAD"), item("06 11 10.10 0200", "USD")]
        assert ingest(
            conn, write_feed(tmp_path / "c.csv", "cost_items", book), feed="cost_items", submission_id="c"
        ).accepted
        publish_snapshot(conn, data_dir=data_dir, product="cost_data", now=T0)
    finally:
        conn.close()
    reader = CatalogReader(data_dir)
    try:
        lines = [("03 11 13.35 0100", Decimal(1)), ("06 11 10.10 0100", Decimal(2)), ("06 11 10.10 0200", Decimal(1))]
        with pytest.raises(MixedCurrencies) as raised:
            reader.estimate(lines)
        assert raised.value.currencies == ["USD", "CAD", "USD"]
        assert reader.estimate([lines[0], lines[2]]).currency == "USD"
    finally:
        reader.close()


def _every_cost_item(reader: CatalogReader, zip_code: str | None) -> list[CostItem]:
    items: list[CostItem] = []
    cursor = None
    while True:
        page = reader.list_cost_items(zip_code=zip_code, limit=100, cursor=cursor)
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items


def test_a_cost_items_parts_add_up_to_its_total(reader: CatalogReader) -> None:
    # in Boston 03 21 11.60 0100 is 1158.28 × 1.082 = 1253.25896 material and 1275.00 × 1.277 =
    # 1628.175 labor: shown as 1253.26 and 1628.18, so its total is 2881.44 (not 2881.43, the
    # rounded sum of the unrounded parts)
    (rebar,) = reader.list_cost_items(masterformat="03 21 11.60 0100", zip_code="02110").items
    assert (rebar.material, rebar.labor, rebar.equipment, rebar.total) == (
        Decimal("1253.26"),
        Decimal("1628.18"),
        Decimal("0.00"),
        Decimal("2881.44"),
    )
    for zip_code in (None, "02110", "10001", "80202", "33101", "59901"):
        items = _every_cost_item(reader, zip_code)
        assert len(items) == 66
        for item in items:
            assert item.total == item.material + item.labor + item.equipment, (zip_code, item)
        # one unit of an item in an estimate is the item's own figures
        estimate = reader.estimate([(i.line_number, Decimal(1)) for i in items], zip_code=zip_code)
        for item, line in zip(items, estimate.lines, strict=True):
            figures = (line.material, line.labor, line.equipment, line.total, line.total_incl_op)
            assert figures == (item.material, item.labor, item.equipment, item.total, item.total_incl_op), item


def test_an_unknown_item_is_named_once_in_the_order_first_seen(reader: CatalogReader) -> None:
    known = reader.list_cost_items(limit=1).items[0].line_number
    lines = [("bad2", Decimal(1)), (known, Decimal(1)), ("bad1", Decimal(1)), ("bad2", Decimal(3))]
    with pytest.raises(UnknownCostItems) as missing:
        reader.estimate(lines)
    assert missing.value.line_numbers == ["bad2", "bad1"]


@pytest.mark.parametrize("zip_code", ["8020", "ABCDE", "802021", ""])
def test_bad_zip_codes(zip_code: str) -> None:
    with pytest.raises(InvalidQuery):
        zip_area(zip_code)


def test_zip_areas() -> None:
    assert zip_area("80202") == zip_area("80202-1234") == zip_area("802") == "802"


def test_bad_cursor_and_limits(reader: CatalogReader) -> None:
    for cursor in ("garbage", "WyJ4Il0", "W251bGwsIDFd"):
        with pytest.raises(InvalidQuery):
            reader.search_products(cursor=cursor)
    with pytest.raises(InvalidQuery):
        reader.search_products(limit=0)
    with pytest.raises(InvalidQuery):
        reader.search_products(min_price=Decimal(5), max_price=Decimal(1))


def test_every_word_must_match_and_digits_count(reader: CatalogReader) -> None:
    # both suppliers' elbows are one product (same maker and part number)
    elbows = reader.search_products(q="copper elbow").items
    assert [(h.name, h.offer_count) for h in elbows] == [("Copper 90 degree elbow 1/2 in", 2)]
    assert reader.search_products(q="copper nosuchword").items == []
    assert reader.search_products(q="the of").items == []  # stop words only: no word to match
    assert reader.search_products(q="-- / ..").items == []  # punctuation only, as stop words only
    assert [h.name for h in reader.search_products(q="2x4").items] == ["2x4 x 8 ft SPF stud"]
    assert reader.search_products(q="  ").items  # blank: no text filter at all


@pytest.mark.parametrize("q", ["CU-L-050", "cul050", "cu l 050", "Mueller CU-L-050"])
def test_part_numbers_are_found_with_or_without_separators(reader: CatalogReader, q: str) -> None:
    hits = reader.search_products(q=q).items
    assert hits
    assert {h.manufacturer_part_number for h in hits} == {"CU-L-050"}


@pytest.mark.parametrize("zip_code", [None, "802", "100", "331"])
@pytest.mark.parametrize("supplier", [None, "one", "two"])
@pytest.mark.parametrize("in_stock", [False, True])
@pytest.mark.parametrize("prices", [(None, None), (Decimal("2.40"), Decimal("27.50")), (Decimal("3"), None)])
def test_offer_choice_matches_the_rules_in_sql(
    reader: CatalogReader,
    zip_code: str | None,
    supplier: str | None,
    in_stock: bool,
    prices: tuple[Decimal | None, Decimal | None],
) -> None:
    low, high = prices
    page = reader.search_products(
        zip_code=zip_code, supplier=supplier, in_stock=in_stock, min_price=low, max_price=high, limit=100
    )
    got = [
        (h.product_id, h.offer.supplier, h.offer.supplier_sku, h.offer.price_region, h.offer_count) for h in page.items
    ]
    params = {"zip": zip_code, "supplier": supplier, "in_stock": in_stock, "low": low, "high": high, "category": None}
    with reader.catalog.cursor() as cur:
        assert got == [tuple(r) for r in cur.execute(OFFER_RULES_SQL, params).fetchall()]


def test_a_snapshot_published_before_a_product_column_was_added_still_reads(tmp_path: Path) -> None:
    import duckdb

    data_dir = tmp_path / "data"
    conn = connect_warehouse(data_dir)
    rows = [offer("S1", "4.10", name="2x4 x 8 ft SPF stud")]
    assert ingest(conn, write_feed(tmp_path / "s.csv", "supplier_catalog", rows), submission_id="s").accepted
    snapshot = publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
    conn.close()
    with duckdb.connect(str(snapshot.path)) as old:  # as the publisher wrote it before list_price_uom
        old.execute("CREATE TABLE p2 AS SELECT * EXCLUDE (list_price_uom) FROM products")
        old.execute("DROP TABLE products")
        old.execute("ALTER TABLE p2 RENAME TO products")
    reader = CatalogReader(data_dir)
    try:
        detail = reader.get_product(reader.search_products(q="stud").items[0].product_id)
        assert detail is not None and detail.name == "2x4 x 8 ft SPF stud" and detail.list_price_uom is None
    finally:
        reader.close()


def _maker(model: str, name: str, maker: str = "NIBCO", **extra: object) -> dict[str, object]:
    """A manufacturer feed row (list price 1.95 USD unless ``extra`` says otherwise)."""
    return {
        "manufacturer": maker,
        "model_number": model,
        "name": name,
        "list_price": "1.95",
        "currency": "USD",
        **extra,
    }


def _catalog(
    tmp_path: Path, suppliers: dict[str, list[dict[str, object]]], makers: list[dict[str, object]] | None = None
) -> CatalogReader:
    """A catalog snapshot of these manufacturer rows and these suppliers' rows (by source), read."""
    data_dir = tmp_path / "data"
    conn = connect_warehouse(data_dir)
    try:
        if makers:
            path = write_feed(tmp_path / "m.csv", "manufacturer_feed", makers)
            assert ingest(conn, path, feed="manufacturer_feed", submission_id="m").accepted
        for source, rows in suppliers.items():
            path = write_feed(tmp_path / f"{source}.csv", "supplier_catalog", rows)
            assert ingest(conn, path, submission_id=source, source=source).accepted
        publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
    finally:
        conn.close()
    return CatalogReader(data_dir)


def test_a_products_category_is_its_manufacturers_whichever_suppliers_offer_it(tmp_path: Path) -> None:
    """A supplier joining with its own category for a product (``aaa-supply`` sorts first) does not
    move the product out of its category, nor out of the deals that cover it."""
    suppliers = {
        source: [offer("E-1", "1.10", name=f"{source} copper elbow", **{**FITTING, "category": category})]
        for source, category in (("front-range-supply", "Plumbing > Fittings"), ("aaa-supply", "Copper Fittings"))
    }
    reader = _catalog(tmp_path, suppliers, [_maker("607-050", "Elbow 1/2", category=FITTING["category"])])
    try:
        (hit,) = reader.search_products(q="elbow").items
        assert hit.category == "Plumbing > Fittings > Copper" and hit.offer_count == 2
        assert hit.name == "aaa-supply copper elbow"  # the name is a supplier's: it says more
        assert [h.product_id for h in reader.search_products(category="plumbing > fittings").items] == [hit.product_id]
    finally:
        reader.close()


def test_offers_in_the_catalogs_currency_come_before_other_currencies(tmp_path: Path) -> None:
    """Prices are not converted: 58.00 CAD is not dearer or cheaper than 60.00 USD, so a product
    shows its USD offers first (cheapest per base unit among them), then those in other currencies."""
    suppliers = {
        source: [offer("E-1", price, name="Copper elbow", currency=currency, **FITTING)]
        for source, price, currency in (("usd-supply", "60.00", "USD"), ("cad-supply", "58.00", "CAD"))
    }
    reader = _catalog(tmp_path, suppliers)
    try:
        (hit,) = reader.search_products(q="elbow").items
        assert hit.offer is not None
        assert (hit.offer.supplier, hit.offer.currency, hit.offer_count) == ("usd-supply", "USD", 2)
        detail = reader.get_product(hit.product_id)
        assert detail is not None
        assert [(o.supplier, o.currency) for o in detail.offers] == [("usd-supply", "USD"), ("cad-supply", "CAD")]
    finally:
        reader.close()


def test_offers_in_another_base_unit_come_after_those_in_the_products(tmp_path: Path) -> None:
    """One copper tube, three suppliers: two sell it by the foot, one by the 10 ft stick as EA
    without its length. 1.00/EA is not cheaper than 2.00/LF: the product's base unit is the one
    most of its suppliers price it in (LF), and its offers in LF come first, cheapest first."""
    tube = {"name": "Copper tube type L 1/2 in", **PIPE}
    suppliers = {
        "aaa-stick-supply": [offer("ST-10", "1.00", order_uom="EA", available_qty="5", **tube)],
        "foot-supply": [offer("F-1", "2.40", order_uom="LF", available_qty="5", **tube)],
        "rod-supply": [offer("R-1", "2.00", order_uom="LF", available_qty="5", **tube)],
    }
    reader = _catalog(tmp_path, suppliers)
    try:
        (hit,) = reader.search_products(q="copper tube").items
        assert hit.offer is not None and hit.offer_count == 3
        assert (hit.offer.supplier, hit.offer.base_uom, hit.offer.unit_price) == ("rod-supply", "LF", Decimal("2.0000"))
        (stocked,) = reader.search_products(q="copper tube", in_stock=True, supplier="aaa-stick-supply").items
        assert stocked.offer is not None and stocked.offer.supplier == "aaa-stick-supply"  # alone, it is shown
        detail = reader.get_product(hit.product_id)
        assert detail is not None and detail.base_uom == "LF"
        assert [(o.supplier, o.base_uom) for o in detail.offers] == [
            ("rod-supply", "LF"),
            ("foot-supply", "LF"),
            ("aaa-stick-supply", "EA"),
        ]
    finally:
        reader.close()


def test_deals_choose_the_offer_and_price_filters_see_the_deal_price(tmp_path: Path) -> None:
    """An elbow at 1.10 (one) and 1.00 (two). A deal of 20% off one's fittings makes one's 0.88 the
    cheaper, and max_price=0.90 finds it; 0.30 off each order unit of one's offers priced per 2
    takes 0.60 off; a deal of another supplier or category changes nothing."""
    elbow = {"name": "Copper elbow 1/2 in", **FITTING}
    suppliers = {
        "one-supply": [offer("E-1", "2.20", price_quantity="2", **elbow)],
        "two-supply": [offer("E-2", "1.00", **elbow)],
    }
    reader = _catalog(tmp_path, suppliers)
    try:

        def shown(*cuts: PriceCut, **filters: object) -> list[tuple[str, Decimal]]:
            hits = reader.search_products(q="elbow", cuts=cuts, **filters).items  # type: ignore[arg-type]
            return [(h.offer.supplier, h.offer.unit_price) for h in hits if h.offer is not None]

        assert shown() == [("two-supply", Decimal("1.0000"))]
        assert shown(max_price=Decimal("0.90")) == []
        fittings = PriceCut("one-supply", category="plumbing > fittings", percent=Decimal(20))
        assert shown(fittings) == [("one-supply", Decimal("2.2000"))]  # 1.76 for 2: 0.88 each
        assert shown(fittings, max_price=Decimal("1.80")) == [("one-supply", Decimal("2.2000"))]
        assert shown(PriceCut("one-supply", amount=Decimal("0.30"), currency="USD")) == [
            ("one-supply", Decimal("2.2000"))
        ]
        assert shown(PriceCut("one-supply", amount=Decimal("0.30"), currency="EUR")) == [
            ("two-supply", Decimal("1.0000"))
        ]
        (hit,) = reader.search_products(q="elbow").items
        for elsewhere in (
            PriceCut("two-supply", category="Lumber", percent=Decimal(50)),
            PriceCut("one-supply", product_id="p_0000000000000000", percent=Decimal(50)),
            PriceCut("one-supply", percent=Decimal(5)),  # 1.045 each: still dearer
            PriceCut("nobody", percent=Decimal(90)),
        ):
            assert shown(elsewhere) == [("two-supply", Decimal("1.0000"))], elsewhere
        assert shown(PriceCut("one-supply", product_id=hit.product_id, percent=Decimal(50))) == [
            ("one-supply", Decimal("2.2000"))
        ]
    finally:
        reader.close()


def test_a_product_a_supplier_offers_ranks_before_one_only_its_maker_sells_that_matches_as_well(
    tmp_path: Path,
) -> None:
    """The supplier's name for its elbow carries the brand, a longer text than the maker's own
    name for another elbow, which BM25 alone ranks higher; the one a builder can order from a
    supplier, at a regional price with stock, comes first. A much better match still wins."""
    text = "Wrot fitting, 90 degree, cup by cup, for type K, L and M tube, lead free, ASME B16.22"
    makers = [
        _maker("607-075", "Copper elbow 3/4 in", category=FITTING["category"], description=text),
        _maker("607-100", "Copper elbow elbow 1 in", category=FITTING["category"], description=text),
    ]
    sold = offer("E-1", "1.10", name="NIBCO Copper elbow 1/2 in", description=text, available_qty="9", **FITTING)
    reader = _catalog(tmp_path, {"acme-supply": [sold]}, makers)
    try:
        hits = reader.search_products(q="copper elbow").items
        assert [(h.name, h.offer is not None) for h in hits][:2] == [
            ("Copper elbow elbow 1 in", False),  # says elbow twice: a much better match
            ("NIBCO Copper elbow 1/2 in", True),
        ]
        assert hits[2].name == "Copper elbow 3/4 in"
    finally:
        reader.close()


def test_a_fraction_is_searched_as_one_size(tmp_path: Path) -> None:
    """Sizes are fractions: "elbow 1/2" finds the half-inch elbow (in its name, or in another
    supplier's name for it), not the 1 in elbow with a 2 in its text, nor the 3/4 in one."""
    rows = [
        offer("E-12", "1.10", name="Copper elbow 1/2 in", **FITTING),
        offer("E-1", "2.10", name="Copper elbow 1 in, 2 pack", category="Plumbing > Fittings > Copper"),
        offer("E-34", "1.60", name="Copper elbow 3/4 in", category="Plumbing > Fittings > Copper"),
        offer("E-112", "4.10", name="Copper elbow 1-1/2 in", category="Plumbing > Fittings > Copper"),
        offer("B-1", "0.40", name="Hex bolt zinc", manufacturer="Grabber", manufacturer_part_number="HB-1/2-13X2"),
        offer("V-1", "9.10", name="Ball valve ¾ in", category="Plumbing > Valves"),
        offer("C-1", "3.10", name="Copper coupling 1½ in", category="Plumbing > Fittings > Copper"),
    ]
    other = [offer("X", "1.05", name="Wrot elbow, half inch (1/2)", **FITTING)]  # the same product as E-12
    tee = [_maker("607-999", "Copper elbow 1/2 in", category=FITTING["category"])]  # no supplier offers it
    reader = _catalog(tmp_path, {"acme-supply": rows, "other-supply": other}, tee)
    try:

        def names(q: str) -> list[str]:
            return sorted(h.name for h in reader.search_products(q=q).items)

        assert names("elbow 1/2") == ["Copper elbow 1-1/2 in", "Copper elbow 1/2 in", "Copper elbow 1/2 in"]
        # the maker's own name counts once, its 1/2 too: the half-inch elbow a supplier offers first
        halves = [h.offer is not None for h in reader.search_products(q="1/2").items if h.name == "Copper elbow 1/2 in"]
        assert halves == [True, False]
        assert names("wrot 1/2") == ["Copper elbow 1/2 in"]  # found by the other supplier's name
        assert names("3/4") == ["Ball valve ¾ in", "Copper elbow 3/4 in"]
        assert len(names("elbow 1 2")) == 4  # without the slash, the words as before
        assert names("HB-1/2-13X2") == names("hb 1/2 13x2") == names("hb1213x2") == ["Hex bolt zinc"]
        # a fraction written as one character, in the query or in the product's text
        assert names("valve 3/4") == names("valve ¾") == ["Ball valve ¾ in"]
        assert names("coupling 1-1/2") == names("coupling 1½") == ["Copper coupling 1½ in"]
        assert names("elbow ½") == names("elbow 1/2")
    finally:
        reader.close()


def test_the_index_and_a_query_read_one_character_forms_alike(tmp_path: Path) -> None:
    """A product written with a ligature, full-width letters, a superscript, a third as one
    character or a German sharp s is found by the words a builder types, and a query written that
    way finds the product written plainly."""
    rows = [
        offer("F-1", "2.10", name="Brass ﬁtting 1 in", category="Plumbing > Brass"),
        offer("F-2", "3.10", name="ＰＶＣ cement quart", category="Plumbing > Adhesives"),
        offer("F-3", "4.10", name="Floor tile 30 m² box", category="Flooring > Tile"),
        offer("F-4", "90.00", name="Sump pump ⅓ HP", category="Plumbing > Pumps"),
        offer("F-5", "12.00", name="Straße grate", category="Drainage > Grates"),
        offer("F-6", "1.00", name="Hose clamp", category="Plumbing > Clamps"),
    ]
    reader = _catalog(tmp_path, {"acme-supply": rows})
    try:

        def names(q: str) -> list[str]:
            return sorted(h.name for h in reader.search_products(q=q).items)

        assert names("brass fitting") == names("brass ﬁtting") == ["Brass ﬁtting 1 in"]
        assert names("pvc cement") == names("ｐｖｃ cement") == ["ＰＶＣ cement quart"]
        assert names("tile m2") == names("tile m²") == ["Floor tile 30 m² box"]
        assert names("pump 1/3") == names("pump ⅓") == ["Sump pump ⅓ HP"]
        assert names("strasse") == names("STRASSE") == names("straße") == ["Straße grate"]
        assert names("hose clamp") == names("ＨＯＳＥ clamp") == ["Hose clamp"]
    finally:
        reader.close()


def test_deal_prices_filter_as_they_are_shown_and_in_the_deals_currency(tmp_path: Path) -> None:
    """A deal price is rounded to the cent half up, as the offer shows it: 0.25 less 10% is 0.23,
    so max_price=0.22 leaves it out. An amount off in EUR prices the EUR offers it covers, and
    moves them in the search as it does in the product's list."""
    washer = {"name": "Flat washer", "manufacturer": "Grabber", "manufacturer_part_number": "FW-1"}
    suppliers = {
        "one-supply": [offer("W-1", "1.10", currency="EUR", **washer), offer("W-9", "0.25", name="Lock washer")],
        "two-supply": [offer("W-2", "1.00", currency="EUR", **washer)],
    }
    reader = _catalog(tmp_path, suppliers)
    try:
        ten = PriceCut("one-supply", percent=Decimal(10))
        assert reader.search_products(q="lock washer", cuts=[ten], max_price=Decimal("0.22")).items == []
        assert len(reader.search_products(q="lock washer", cuts=[ten], max_price=Decimal("0.23")).items) == 1
        euros = PriceCut("one-supply", amount=Decimal("0.50"), currency="EUR")
        (hit,) = reader.search_products(q="flat washer", cuts=[euros]).items
        assert hit.offer is not None and hit.offer.supplier == "one-supply"  # 0.60 EUR against 1.00 EUR
        (hit,) = reader.search_products(q="flat washer", cuts=[euros], max_price=Decimal("0.70")).items
        assert hit.offer is not None and hit.offer.supplier == "one-supply"
    finally:
        reader.close()


def test_a_product_only_its_manufacturer_sells_is_found_at_its_list_price(tmp_path: Path) -> None:
    """A manufacturer's product that no supplier offers (a door bought from the maker) is in the
    catalog with no offer and its list price; a discontinued one is not. Filters on offers (stock,
    price, supplier) leave it out."""
    door = "TruStile TS1000 interior door 30 in"
    makers = [
        _maker("TS1000-30", door, "TruStile", list_price="412.00", category="Doors > Interior", uom="EA",
               lead_time_days="21"),
        _maker("TS9-OLD", "TruStile TS9 door", "TruStile", list_price="99.00", discontinued="true"),
        _maker("TS7-OLD", "TruStile TS7 door", "TruStile", list_price="89.00", discontinued="true"),
    ]  # fmt: skip
    slab = offer("D-1", "350.00", name="Interior door slab 30 in", available_qty="3", category="Doors > Interior")
    # a supplier still sells the TS7 its maker has discontinued: found, and said to be discontinued
    ts7 = offer("D-7", "80.00", name="TS7 door", manufacturer="TruStile", manufacturer_part_number="TS7-OLD")
    reader = _catalog(tmp_path, {"acme-supply": [slab, ts7]}, makers)
    try:
        (hit,) = reader.search_products(q="trustile door 30", zip_code="80202").items
        assert hit.name == door and hit.manufacturer_part_number == "TS1000-30"
        assert (hit.offer, hit.offer_count) == (None, 0)
        assert (hit.list_price, hit.list_price_currency, hit.list_price_uom) == (Decimal("412.0000"), "USD", "EA")
        assert (hit.manufacturer_lead_time_days, hit.discontinued) == (21, False)  # the maker's lead time
        (sold,) = reader.search_products(q="TS7").items
        assert sold.offer is not None and sold.discontinued is True
        assert {h.name for h in reader.search_products(category="doors").items} == {door, "Interior door slab 30 in"}
        for filters in ({"in_stock": True}, {"max_price": Decimal(1000)}, {"supplier": "acme-supply"}):
            found = reader.search_products(q="door 30", **filters).items  # type: ignore[arg-type]
            assert [h.name for h in found] == ["Interior door slab 30 in"], filters
        assert reader.search_products(q="TS9").items == []  # discontinued: not sold any more
        detail = reader.get_product(hit.product_id)
        assert detail is not None and detail.offers == [] and detail.price_history == []
        assert (detail.list_price, detail.base_uom, detail.category) == (Decimal("412.0000"), "EA", "Doors > Interior")
        assert detail.manufacturer_lead_time_days == 21
    finally:
        reader.close()


def test_a_product_is_found_by_every_suppliers_name_and_its_manufacturers(tmp_path: Path) -> None:
    """Two suppliers name one product differently, and its manufacturer a third way with a product
    line: the product is one search hit for any of their words, named as before."""
    maker = _maker("CU-L-050", "Streamline annealed coil", "Mueller", product_line="Streamline")
    suppliers = {
        source: [offer("CU1", "25.00", name=name, **PIPE)]
        for source, name in (("alpine", "Copper pipe type L 1/2 in x 10 ft"), ("beta", "1/2in Type L Copper Tube"))
    }
    reader = _catalog(tmp_path, suppliers, [maker])
    try:
        for q in ("copper pipe", "copper tube", "type l tube", "streamline", "annealed coil"):
            hits = reader.search_products(q=q).items
            assert [(h.name, h.offer_count) for h in hits] == [("Copper pipe type L 1/2 in x 10 ft", 2)], q
    finally:
        reader.close()
