-- Product search on a catalog snapshot. Per supplier and SKU the offer for the caller's ZIP area
-- wins over the supplier's * row; filters then apply to that offer; each product shows its
-- cheapest remaining offer per base unit (offers whose source forbids price comparison only when
-- no other is left). Ranked by BM25 when $q is given, else by product id;
-- $after_score / $after_id continue after the last row of the previous page.
WITH hits AS (
    SELECT product_id, score
    FROM (
        SELECT product_id, fts_main_products.match_bm25(product_id, $q) AS score
        FROM products
        WHERE $q IS NOT NULL
    )
    WHERE score IS NOT NULL
),
candidates AS (
    SELECT
        p.product_id,
        p.name,
        p.brand,
        p.manufacturer,
        p.manufacturer_part_number,
        p.category,
        coalesce(h.score, 0.0) AS score
    FROM products AS p
    LEFT JOIN hits AS h ON h.product_id = p.product_id
    WHERE ($q IS NULL OR h.score IS NOT NULL)
        AND ($category IS NULL OR p.category = $category OR starts_with(p.category, $category || ' > '))
        AND (
            $after_id IS NULL
            OR coalesce(h.score, 0.0) < $after_score
            OR (coalesce(h.score, 0.0) = $after_score AND p.product_id > $after_id)
        )
),
regional AS (
    SELECT o.*
    FROM offers AS o
    SEMI JOIN candidates AS c ON c.product_id = o.product_id
    WHERE ($zip_area IS NULL OR o.price_region IN ($zip_area, '*'))
        AND ($supplier IS NULL OR o.supplier = $supplier)
    QUALIFY row_number() OVER (
        PARTITION BY o.supplier, o.supplier_sku
        ORDER BY CASE o.price_region WHEN $zip_area THEN 0 WHEN '*' THEN 1 ELSE 2 END, o.price_per_base_unit, o.price_region
    ) = 1
),
applicable AS (
    SELECT *
    FROM regional
    WHERE (NOT $in_stock OR available_qty > 0)
        AND ($min_price IS NULL OR unit_price >= $min_price)
        AND ($max_price IS NULL OR unit_price <= $max_price)
),
best AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY product_id) AS offer_count
    FROM applicable
    QUALIFY row_number() OVER (
        PARTITION BY product_id ORDER BY NOT price_comparison_allowed, price_per_base_unit, supplier, supplier_sku
    ) = 1
)
SELECT
    c.product_id,
    c.name,
    c.brand,
    c.manufacturer,
    c.manufacturer_part_number,
    c.category,
    c.score,
    b.supplier,
    b.supplier_sku,
    b.price_region,
    b.unit_price,
    b.currency,
    b.order_uom,
    b.price_quantity,
    b.content_uom,
    b.content_per_order_uom,
    b.base_uom,
    b.price_per_base_unit,
    b.available_qty,
    b.lead_time_days,
    b.valid_from,
    b.valid_to,
    b.price_comparison_allowed,
    b.offer_count
FROM candidates AS c
JOIN best AS b ON b.product_id = c.product_id
ORDER BY c.score DESC, c.product_id
LIMIT $limit
