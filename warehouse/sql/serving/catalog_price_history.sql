-- Snapshot table: the whole price history of the offered products.
CREATE TABLE snap.price_history AS
SELECT
    product_id,
    supplier,
    supplier_sku,
    price_region,
    unit_price,
    currency,
    price_quantity,
    order_uom,
    base_uom,
    price_per_base_unit,
    effective_from,
    effective_to
FROM price_history
ORDER BY product_id, supplier, supplier_sku, price_region, effective_from
