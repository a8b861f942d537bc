-- Rows that share a supplier_sku and price_region and whose validity windows overlap (exact
-- repeats were already dropped when staging, so these disagree), with the number of such rows. A
-- missing valid_from or valid_to is an open end; two rows whose windows do not meet (today's
-- price until 2026-12-31, the next from 2027-01-01) are a price change sent ahead, not a conflict.
-- Only the keys with more than one row are looked at; within a key, rows in order of their start,
-- a row overlaps an earlier one when the latest end before it reaches its start, and a later one
-- when the next start is within its window (one sort, however many rows share the key).
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
    WHERE n > 1 AND ends >= starts -- a window that ends before it starts is validity_range's
),
placed AS (
    SELECT
        *,
        max(ends) OVER (
            PARTITION BY supplier_sku, price_region ORDER BY starts, source_line
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ) AS latest_end_before,
        lead(starts) OVER (PARTITION BY supplier_sku, price_region ORDER BY starts, source_line) AS next_start
    FROM repeated
)
SELECT source_line, supplier_sku, price_region, unit_price_text, count(*) OVER () AS failed
FROM placed
WHERE latest_end_before >= starts OR next_start <= ends
ORDER BY source_line
LIMIT $limit
