-- Rows that share a MasterFormat line number.
SELECT source_line, line_number, description, count(*) OVER () AS failed
FROM (
    SELECT *, count(*) OVER (PARTITION BY line_number) AS n
    FROM staged_cost_items
    WHERE submission_id = $submission_id AND line_number IS NOT NULL
)
WHERE n > 1
ORDER BY source_line
LIMIT $limit
