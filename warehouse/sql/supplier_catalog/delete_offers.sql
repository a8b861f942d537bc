-- Before a submission's rows go in: a full catalog replaces the supplier's offers, a delta only
-- the keys it lists.
DELETE FROM catalog_offer AS o
WHERE o.supplier = $supplier
    AND (
        $full
        OR EXISTS (
            SELECT 1
            FROM staged_supplier_catalog AS s
            WHERE s.submission_id = $submission_id
                AND s.supplier_sku = o.supplier_sku
                AND s.price_region = o.price_region
        )
    )
