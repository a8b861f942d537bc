-- SCD2 between pushes, step 2: end the current price of each rolled key unless a row in effect on
-- the day has that price.
UPDATE price_history AS h
SET effective_to = greatest($at, h.effective_from), is_current = false
WHERE h.is_current
    AND EXISTS (
        SELECT 1
        FROM rolled_keys AS k
        WHERE k.supplier = h.supplier AND k.supplier_sku = h.supplier_sku AND k.price_region = h.price_region
    )
    AND NOT EXISTS (
        SELECT 1
        FROM catalog_offer AS o
        WHERE o.supplier = h.supplier
            AND o.supplier_sku = h.supplier_sku
            AND o.price_region = h.price_region
            AND (o.valid_from IS NULL OR o.valid_from <= CAST($at AS DATE))
            AND (o.valid_to IS NULL OR o.valid_to >= CAST($at AS DATE))
            AND (o.unit_price, o.currency, o.price_quantity, o.order_uom, o.price_per_base_unit)
                IS NOT DISTINCT FROM (h.unit_price, h.currency, h.price_quantity, h.order_uom, h.price_per_base_unit)
    )
