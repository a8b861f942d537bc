-- Every supplier's offer for a product: per supplier and SKU the ZIP area's row, else the * row
-- (without a ZIP, the * row, else the cheapest regional one); comparable offers cheapest per base
-- unit first, then offers whose source forbids price comparison. Prices are not converted: within
-- each of those, offers in USD (the catalog's currency) come first, then those in other currencies,
-- and within each currency the offers in the product's base unit, then those in another one.
-- The search orders a product's offers the same way (warehouse/search.py _best_offers), and the
-- service again at the price a builder's deals make (service/catalog/services.py _offer_rank).
SELECT
    supplier,
    supplier_sku,
    price_region,
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
    price_comparison_allowed
FROM offers
WHERE product_id = $product_id
    AND ($zip_area IS NULL OR price_region IN ($zip_area, '*'))
QUALIFY row_number() OVER (
    PARTITION BY supplier, supplier_sku
    ORDER BY CASE price_region WHEN $zip_area THEN 0 WHEN '*' THEN 1 ELSE 2 END, price_per_base_unit, price_region
) = 1
ORDER BY
    NOT price_comparison_allowed,
    currency <> 'USD',
    base_uom IS DISTINCT FROM (SELECT base_uom FROM products WHERE product_id = $product_id),
    price_per_base_unit,
    supplier,
    supplier_sku
