-- Rows that share a supplier_sku and price_region (exact repeats were already dropped when
-- staging, so these disagree), with the number of such rows.
SELECT source_line, supplier_sku, price_region, unit_price_text, count(*) OVER () AS failed
FROM (
    SELECT *, count(*) OVER (PARTITION BY supplier_sku, price_region) AS n
    FROM staged_supplier_catalog
    WHERE submission_id = $submission_id AND supplier_sku IS NOT NULL AND price_region IS NOT NULL
)
WHERE n > 1
ORDER BY source_line
LIMIT $limit
