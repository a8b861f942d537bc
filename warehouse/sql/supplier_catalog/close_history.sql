-- SCD2, step 1: end the current price of every key the submission lists (a full catalog: of
-- every key of the supplier) unless the submission's row in effect on the day of the push has the
-- same price. So a changed price ends, so does a key a full catalog no longer lists, and so does
-- one whose rows are all out of their validity window (withdrawn by a valid_to in the past, or
-- only priced ahead). A price sent ahead (valid_from later) enters the history on its day, rolled
-- in by the catalog publish of that day (roll_keys.sql).
UPDATE price_history AS h
SET effective_to = greatest($at, h.effective_from), is_current = false
WHERE h.supplier = $supplier
    AND h.is_current
    AND (
        $full
        OR EXISTS (
            SELECT 1
            FROM staged_supplier_catalog AS s
            WHERE s.submission_id = $submission_id
                AND s.supplier_sku = h.supplier_sku
                AND s.price_region = h.price_region
        )
    )
    AND NOT EXISTS (
        SELECT 1
        FROM staged_supplier_catalog AS s
        WHERE s.submission_id = $submission_id
            AND s.supplier_sku = h.supplier_sku
            AND s.price_region = h.price_region
            AND (s.valid_from IS NULL OR s.valid_from <= CAST($at AS DATE))
            AND (s.valid_to IS NULL OR s.valid_to >= CAST($at AS DATE))
            AND (s.unit_price, s.currency, coalesce(s.price_quantity, 1), s.order_uom, s.price_per_base_unit)
                IS NOT DISTINCT FROM (h.unit_price, h.currency, h.price_quantity, h.order_uom, h.price_per_base_unit)
    )
