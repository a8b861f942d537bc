-- Snapshot table: one row per product offered, described by its manufacturer's data when there
-- is some, else by the first supplier row (by supplier and SKU). product_no numbers the products
-- in product_id order (the search index refers to products by it); category_no numbers the
-- categories in name order (-1: none).
CREATE TABLE snap.products AS
WITH live AS (
    SELECT * FROM catalog_offer WHERE valid_to IS NULL OR valid_to >= CAST($published_at AS DATE)
),
suppliers AS (
    SELECT product_id, count(DISTINCT supplier) AS supplier_count FROM live GROUP BY product_id
),
described AS (
    SELECT
        l.product_id,
        l.name,
        l.description,
        l.brand,
        l.manufacturer,
        l.manufacturer_part_number,
        l.gtin,
        l.unspsc,
        l.category,
        l.base_uom,
        s.supplier_count
    FROM live AS l
    JOIN suppliers AS s ON s.product_id = l.product_id
    QUALIFY row_number() OVER (PARTITION BY l.product_id ORDER BY l.supplier, l.supplier_sku, l.price_region) = 1
)
SELECT
    CAST(row_number() OVER (ORDER BY d.product_id) - 1 AS INTEGER) AS product_no,
    d.product_id,
    coalesce(d.name, m.name) AS name,
    coalesce(m.description, d.description) AS description,
    d.brand,
    coalesce(m.manufacturer, d.manufacturer) AS manufacturer,
    coalesce(m.model_number, d.manufacturer_part_number) AS manufacturer_part_number,
    coalesce(d.gtin, m.gtin) AS gtin,
    coalesce(d.unspsc, m.unspsc) AS unspsc,
    coalesce(d.category, m.category) AS category,
    d.base_uom,
    d.supplier_count,
    m.product_line,
    m.specs,
    m.spec_sheet_url,
    m.list_price,
    m.currency AS list_price_currency,
    m.discontinued,
    CAST(CASE
        WHEN coalesce(d.category, m.category) IS NULL THEN -1
        ELSE dense_rank() OVER (ORDER BY coalesce(d.category, m.category) NULLS LAST) - 1
    END AS INTEGER) AS category_no
FROM described AS d
LEFT JOIN manufacturer_product AS m ON m.product_id = d.product_id
ORDER BY d.product_id
