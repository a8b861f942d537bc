-- Rows that share a ZIP area and division.
SELECT source_line, zip_area, division, count(*) OVER () AS failed
FROM (
    SELECT *, count(*) OVER (PARTITION BY zip_area, division) AS n
    FROM staged_location_index
    WHERE submission_id = $submission_id AND zip_area IS NOT NULL AND division IS NOT NULL
)
WHERE n > 1
ORDER BY source_line
LIMIT $limit
