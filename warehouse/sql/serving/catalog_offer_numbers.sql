-- The order of the snapshot's offers, worked out over narrow rows (the curated row's rowid and its
-- keys) so that the sort and the window functions do not carry the offers' text: offer_no (the
-- place in product_no, supplier, SKU, region order), supplier_no (suppliers in name order) and
-- group_start (the first row of a product, supplier and SKU: the rows among which the caller's
-- region picks one). A temporary table of the warehouse connection, dropped after the copy.
CREATE OR REPLACE TEMP TABLE offer_numbers AS
WITH live AS (
    SELECT o.rowid AS offer_row, p.product_no, o.supplier, o.supplier_sku, o.price_region
    FROM catalog_offer AS o
    JOIN snap.products AS p ON p.product_id = o.product_id
    WHERE (o.valid_to IS NULL OR o.valid_to >= CAST($published_at AS DATE))
        AND (o.valid_from IS NULL OR o.valid_from <= CAST($published_at AS DATE))
),
suppliers AS (
    SELECT supplier, CAST(row_number() OVER (ORDER BY supplier) - 1 AS INTEGER) AS supplier_no
    FROM (SELECT DISTINCT supplier FROM live)
),
numbered AS (
    SELECT
        l.offer_row,
        l.product_no,
        CAST(row_number() OVER w - 1 AS INTEGER) AS offer_no,
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
)
SELECT * FROM numbered
