-- Rows that share a manufacturer and model_number but disagree.
SELECT source_line, manufacturer, model_number, count(*) OVER () AS failed
FROM (
    SELECT *, count(*) OVER (PARTITION BY manufacturer, model_number) AS n
    FROM staged_manufacturer_feed
    WHERE submission_id = $submission_id AND manufacturer IS NOT NULL AND model_number IS NOT NULL
)
WHERE n > 1
ORDER BY source_line
LIMIT $limit
