-- A product's price history (for the ZIP area and * rows when a ZIP is given), oldest first.
SELECT
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
WHERE product_id = $product_id
    AND ($zip_area IS NULL OR price_region IN ($zip_area, '*'))
ORDER BY supplier, supplier_sku, price_region, effective_from
