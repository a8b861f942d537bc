-- SCD2 between pushes, step 3: a current price for each rolled key that has none, from its row in
-- effect on the day (at most one: unique_sku_per_region rejects overlapping windows).
INSERT INTO price_history BY NAME
SELECT
    o.supplier,
    o.supplier_sku,
    o.price_region,
    o.product_id,
    o.unit_price,
    o.currency,
    o.price_quantity,
    o.order_uom,
    o.base_uom,
    o.price_per_base_unit,
    CAST($at AS TIMESTAMPTZ) AS effective_from,
    CAST(NULL AS TIMESTAMPTZ) AS effective_to,
    true AS is_current,
    o.submission_id
FROM catalog_offer AS o
SEMI JOIN rolled_keys AS k
    ON k.supplier = o.supplier AND k.supplier_sku = o.supplier_sku AND k.price_region = o.price_region
WHERE (o.valid_from IS NULL OR o.valid_from <= CAST($at AS DATE))
    AND (o.valid_to IS NULL OR o.valid_to >= CAST($at AS DATE))
    AND NOT EXISTS (
        SELECT 1
        FROM price_history AS h
        WHERE h.supplier = o.supplier
            AND h.supplier_sku = o.supplier_sku
            AND h.price_region = o.price_region
            AND h.is_current
    )
