-- Rows with a date in the right form that is no day of the calendar (2026-02-30, 2026-13-45):
-- the format rules pass them, and staging cannot type them (they would land as no date at all,
-- an offer that never expires).
SELECT source_line, valid_from_text, valid_to_text, count(*) OVER () AS failed
FROM staged_supplier_catalog
WHERE submission_id = $submission_id
    AND (
        (valid_from IS NULL AND regexp_full_match(valid_from_text, '\d{4}-\d{2}-\d{2}'))
        OR (valid_to IS NULL AND regexp_full_match(valid_to_text, '\d{4}-\d{2}-\d{2}'))
    )
ORDER BY source_line
LIMIT $limit
