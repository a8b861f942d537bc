-- Snapshot table: every offer still valid on the publish date, stored in product order.
CREATE TABLE snap.offers AS
SELECT
    product_id,
    supplier,
    supplier_sku,
    price_region,
    name,
    unit_price,
    currency,
    order_uom,
    price_quantity,
    content_uom,
    content_per_order_uom,
    base_uom,
    price_per_base_unit,
    available_qty,
    lead_time_days,
    valid_from,
    valid_to,
    price_comparison_allowed,
    updated_at
FROM catalog_offer
WHERE valid_to IS NULL OR valid_to >= CAST($published_at AS DATE)
ORDER BY product_id, supplier, supplier_sku, price_region
