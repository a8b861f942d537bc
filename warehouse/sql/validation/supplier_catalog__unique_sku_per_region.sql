-- Rows that share a supplier_sku and price_region and whose validity windows overlap (exact
-- repeats were already dropped when staging, so these disagree), with the number of such rows. A
-- missing valid_from or valid_to is an open end; two rows whose windows do not meet (today's
-- price until 2026-12-31, the next from 2027-01-01) are a price change sent ahead, not a conflict.
-- The windows are compared only among the few keys that have more than one row.
WITH repeated AS (
    SELECT *
    FROM (
        SELECT
            source_line,
            supplier_sku,
            price_region,
            unit_price_text,
            coalesce(valid_from, DATE '0001-01-01') AS starts,
            coalesce(valid_to, DATE '9999-12-31') AS ends,
            count(*) OVER (PARTITION BY supplier_sku, price_region) AS n
        FROM staged_supplier_catalog
        WHERE submission_id = $submission_id AND supplier_sku IS NOT NULL AND price_region IS NOT NULL
    )
    WHERE n > 1
),
overlapping AS (
    SELECT DISTINCT a.source_line, a.supplier_sku, a.price_region, a.unit_price_text
    FROM repeated AS a
    JOIN repeated AS b
        ON b.supplier_sku = a.supplier_sku
        AND b.price_region = a.price_region
        AND b.source_line <> a.source_line
        AND b.starts <= a.ends
        AND a.starts <= b.ends
)
SELECT source_line, supplier_sku, price_region, unit_price_text, count(*) OVER () AS failed
FROM overlapping
ORDER BY source_line
LIMIT $limit
