-- Snapshot table: every offer still valid on the publish date, stored in product order
-- (product_no, supplier, SKU, region); offer_no is the row's place in that order. The search keeps
-- the numeric columns in memory: region_no (the 3-digit area as a number, -1 for *), supplier_no
-- (suppliers in name order) and group_start (the first row of a product, supplier and SKU: the
-- rows among which the caller's region picks one).
CREATE TABLE snap.offers AS
WITH live AS (
    SELECT p.product_no, o.*
    FROM catalog_offer AS o
    JOIN snap.products AS p ON p.product_id = o.product_id
    WHERE o.valid_to IS NULL OR o.valid_to >= CAST($published_at AS DATE)
),
suppliers AS (
    SELECT supplier, CAST(row_number() OVER (ORDER BY supplier) - 1 AS INTEGER) AS supplier_no
    FROM (SELECT DISTINCT supplier FROM live)
)
SELECT
    CAST(row_number() OVER w - 1 AS INTEGER) AS offer_no,
    l.product_no,
    l.product_id,
    l.supplier,
    l.supplier_sku,
    l.price_region,
    l.name,
    l.unit_price,
    l.currency,
    l.order_uom,
    l.price_quantity,
    l.content_uom,
    l.content_per_order_uom,
    l.base_uom,
    l.price_per_base_unit,
    l.available_qty,
    l.lead_time_days,
    l.valid_from,
    l.valid_to,
    l.price_comparison_allowed,
    l.updated_at,
    CAST(CASE l.price_region WHEN '*' THEN -1 ELSE CAST(l.price_region AS INTEGER) END AS SMALLINT) AS region_no,
    s.supplier_no,
    coalesce(
        lag(l.product_no) OVER w IS DISTINCT FROM l.product_no
        OR lag(l.supplier) OVER w IS DISTINCT FROM l.supplier
        OR lag(l.supplier_sku) OVER w IS DISTINCT FROM l.supplier_sku,
        true
    ) AS group_start
FROM live AS l
JOIN suppliers AS s ON s.supplier = l.supplier
WINDOW w AS (ORDER BY l.product_no, l.supplier, l.supplier_sku, l.price_region)
ORDER BY l.product_no, l.supplier, l.supplier_sku, l.price_region
