-- Snapshot table: every offer still valid on the publish date (catalog_offer_numbers), stored in
-- offer_no order. The search keeps the numeric columns in memory: region_no (the 3-digit area as a
-- number, -1 for *), supplier_no and group_start.
CREATE TABLE snap.offers AS
SELECT
    n.offer_no,
    n.product_no,
    o.product_id,
    o.supplier,
    o.supplier_sku,
    o.price_region,
    o.name,
    o.unit_price,
    o.currency,
    o.order_uom,
    o.price_quantity,
    o.content_uom,
    o.content_per_order_uom,
    o.base_uom,
    o.price_per_base_unit,
    o.available_qty,
    o.lead_time_days,
    o.valid_from,
    o.valid_to,
    o.price_comparison_allowed,
    o.updated_at,
    CAST(CASE o.price_region WHEN '*' THEN -1 ELSE CAST(o.price_region AS INTEGER) END AS SMALLINT) AS region_no,
    n.supplier_no,
    n.group_start
FROM offer_numbers AS n
JOIN (SELECT rowid AS offer_row, * FROM catalog_offer) AS o ON o.offer_row = n.offer_row
ORDER BY n.offer_no
