-- Snapshot table: one row per product offered, and per product of a manufacturer's feed that no
-- supplier offers and is not discontinued (bought from the manufacturer at its list price; no
-- offer, supplier_count 0), described by its manufacturer's data when there
-- is some (category, description, maker and model: a supplier joining with its own category for
-- the product does not move it out of its category, and out of the deals that cover it), else by
-- the first supplier row (by supplier, SKU and region), which also names it (a supplier's name
-- for a product says more than a manufacturer's short one). Its base unit is the one most of its
-- suppliers price it in (ties: the first supplier row's); offers in another base unit (a stick
-- sold by EA without its length, where others sell it by LF) do not compare with the others per
-- base unit, and are listed after them. product_no numbers the products in product_id order (the search index refers to products by it); category_no numbers
-- the categories in name order (-1: none). The choice and the numbering run over narrow rows (the
-- offer's rowid and keys); the text columns join in once, so nothing wide is sorted twice or
-- spilled by a window.
CREATE TABLE snap.products AS
-- live is scanned twice rather than materialized (the second scan, for the products offered in
-- more than one base unit, reads narrow columns; a materialized copy cost more than the scan).
WITH live AS NOT MATERIALIZED (
    SELECT rowid AS offer_row, product_id, supplier, supplier_sku, price_region, base_uom
    FROM catalog_offer
    WHERE (valid_to IS NULL OR valid_to >= CAST($published_at AS DATE))
        AND (valid_from IS NULL OR valid_from <= CAST($published_at AS DATE))
),
chosen AS (
    SELECT
        product_id,
        count(DISTINCT supplier) AS supplier_count,
        arg_min(offer_row, (supplier, supplier_sku, price_region)) AS offer_row,
        min(base_uom) AS some_unit,
        min(base_uom) <> max(base_uom) AS mixed_units
    FROM live
    GROUP BY product_id
),
units AS (
    -- the products offered in more than one base unit (few): per unit, how many suppliers price
    -- it so, and the first row that does
    SELECT
        l.product_id,
        l.base_uom,
        count(DISTINCT l.supplier) AS suppliers,
        min((l.supplier, l.supplier_sku, l.price_region)) AS first_row
    FROM live AS l
    SEMI JOIN (SELECT product_id FROM chosen WHERE mixed_units) AS c ON c.product_id = l.product_id
    GROUP BY l.product_id, l.base_uom
),
unit_of AS (
    SELECT product_id, arg_min(base_uom, (-suppliers, first_row)) AS base_uom
    FROM units
    GROUP BY product_id
),
listed AS (
    SELECT c.product_id, c.supplier_count, c.offer_row, coalesce(u.base_uom, c.some_unit) AS base_uom
    FROM chosen AS c
    LEFT JOIN unit_of AS u ON u.product_id = c.product_id
    UNION ALL
    SELECT m.product_id, 0 AS supplier_count, NULL AS offer_row, NULL AS base_uom
    FROM manufacturer_product AS m
    ANTI JOIN chosen AS c ON c.product_id = m.product_id
    WHERE NOT m.discontinued
),
numbered AS (
    SELECT CAST(row_number() OVER (ORDER BY product_id) - 1 AS INTEGER) AS product_no, * FROM listed
),
described AS (
    -- an inner join, so DuckDB builds its hash table on the narrow numbered rows and streams the
    -- wide offers past it (an outer join would build it on the offers' text, and run out of memory)
    SELECT n.product_no, n.supplier_count, n.product_id, o.* EXCLUDE (offer_row), n.base_uom
    FROM numbered AS n
    JOIN (
        SELECT rowid AS offer_row, name, description, brand, manufacturer, manufacturer_part_number,
            gtin, unspsc, category
        FROM catalog_offer
    ) AS o ON o.offer_row = n.offer_row
    UNION ALL
    -- the products no supplier offers: described by their manufacturer's data alone
    SELECT
        product_no, supplier_count, product_id,
        NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR,
        NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR
    FROM numbered
    WHERE offer_row IS NULL
),
categories AS (
    SELECT category, CAST(row_number() OVER (ORDER BY category) - 1 AS INTEGER) AS category_no
    FROM (
        SELECT DISTINCT coalesce(m.category, d.category) AS category
        FROM described AS d LEFT JOIN manufacturer_product AS m ON m.product_id = d.product_id
        WHERE coalesce(m.category, d.category) IS NOT NULL
    )
)
SELECT
    d.product_no,
    d.product_id,
    coalesce(d.name, m.name) AS name,
    coalesce(m.description, d.description) AS description,
    d.brand,
    coalesce(m.manufacturer, d.manufacturer) AS manufacturer,
    coalesce(m.model_number, d.manufacturer_part_number) AS manufacturer_part_number,
    coalesce(d.gtin, m.gtin) AS gtin,
    coalesce(d.unspsc, m.unspsc) AS unspsc,
    coalesce(m.category, d.category) AS category,
    -- a product no supplier offers: the base unit of the manufacturer's price unit
    coalesce(d.base_uom, u.base_uom, m.uom, 'EA') AS base_uom,
    d.supplier_count,
    m.product_line,
    m.name AS model_name, -- the manufacturer's own name for it, which the search finds it by too
    m.specs,
    m.spec_sheet_url,
    m.list_price,
    m.currency AS list_price_currency,
    -- the unit the list price is for; the manufacturer feed's default is EA
    CASE WHEN m.list_price IS NOT NULL THEN coalesce(m.uom, 'EA') END AS list_price_uom,
    m.lead_time_days AS manufacturer_lead_time_days, -- the maker's own, beside each offer's
    m.discontinued,
    coalesce(c.category_no, -1) AS category_no
FROM described AS d
LEFT JOIN manufacturer_product AS m ON m.product_id = d.product_id
LEFT JOIN ref_uom AS u ON u.code = m.uom
LEFT JOIN categories AS c ON c.category = coalesce(m.category, d.category)
ORDER BY d.product_no
