-- Snapshot table: one row per product offered, described by its manufacturer's data when there
-- is some, else by the first supplier row (by supplier and SKU).
CREATE TABLE snap.products AS
WITH described AS (
    SELECT
        product_id,
        arg_min(name, supplier || chr(31) || supplier_sku) AS name,
        arg_min(description, supplier || chr(31) || supplier_sku) AS description,
        arg_min(brand, supplier || chr(31) || supplier_sku) AS brand,
        arg_min(manufacturer, supplier || chr(31) || supplier_sku) AS manufacturer,
        arg_min(manufacturer_part_number, supplier || chr(31) || supplier_sku) AS manufacturer_part_number,
        arg_min(gtin, supplier || chr(31) || supplier_sku) AS gtin,
        arg_min(unspsc, supplier || chr(31) || supplier_sku) AS unspsc,
        arg_min(category, supplier || chr(31) || supplier_sku) AS category,
        arg_min(base_uom, supplier || chr(31) || supplier_sku) AS base_uom,
        count(DISTINCT supplier) AS supplier_count
    FROM catalog_offer
    WHERE valid_to IS NULL OR valid_to >= CAST($published_at AS DATE)
    GROUP BY product_id
)
SELECT
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
    m.discontinued
FROM described AS d
LEFT JOIN manufacturer_product AS m ON m.product_id = d.product_id
ORDER BY d.product_id
