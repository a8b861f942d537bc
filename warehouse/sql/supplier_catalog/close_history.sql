-- SCD2, step 1: end the current price of every key whose price the submission changes, and, for
-- a full catalog, of every key it no longer lists.
UPDATE price_history AS h
SET effective_to = $at, is_current = false
WHERE h.supplier = $supplier
    AND h.is_current
    AND (
        EXISTS (
            SELECT 1
            FROM staged_supplier_catalog AS s
            WHERE s.submission_id = $submission_id
                AND s.supplier_sku = h.supplier_sku
                AND s.price_region = h.price_region
                AND (s.unit_price, s.currency, coalesce(s.price_quantity, 1), s.order_uom, s.price_per_base_unit)
                    IS DISTINCT FROM (h.unit_price, h.currency, h.price_quantity, h.order_uom, h.price_per_base_unit)
        )
        OR (
            $full
            AND NOT EXISTS (
                SELECT 1
                FROM staged_supplier_catalog AS s
                WHERE s.submission_id = $submission_id
                    AND s.supplier_sku = h.supplier_sku
                    AND s.price_region = h.price_region
            )
        )
    )
