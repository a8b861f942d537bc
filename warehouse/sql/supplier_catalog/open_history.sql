-- SCD2, step 2: a current price for every key of the submission that has none (new keys, and the
-- keys whose price step 1 just ended), from its row in effect on the day of the push (a key has
-- at most one: unique_sku_per_region rejects overlapping windows).
INSERT INTO price_history BY NAME
SELECT
    s.supplier,
    s.supplier_sku,
    s.price_region,
    'p_' || substr(md5(s.product_key), 1, 16) AS product_id,
    s.unit_price,
    s.currency,
    coalesce(s.price_quantity, 1) AS price_quantity,
    s.order_uom,
    s.base_uom,
    s.price_per_base_unit,
    CAST($at AS TIMESTAMPTZ) AS effective_from,
    CAST(NULL AS TIMESTAMPTZ) AS effective_to,
    true AS is_current,
    s.submission_id
FROM staged_supplier_catalog AS s
WHERE s.submission_id = $submission_id
    AND (s.valid_from IS NULL OR s.valid_from <= CAST($at AS DATE))
    AND (s.valid_to IS NULL OR s.valid_to >= CAST($at AS DATE))
    AND NOT EXISTS (
        SELECT 1
        FROM price_history AS h
        WHERE h.supplier = s.supplier
            AND h.supplier_sku = s.supplier_sku
            AND h.price_region = s.price_region
            AND h.is_current
    )
