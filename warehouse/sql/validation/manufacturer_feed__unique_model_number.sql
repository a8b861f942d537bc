-- Rows that name one product twice: the same manufacturer and model_number, compared as the product
-- they become (case, spaces and punctuation aside, as stage.sql's product_key), so "Zeta Doors,ZD-100"
-- and "ZETA DOORS,ZD100" are one model and cannot both be applied.
SELECT source_line, manufacturer, model_number, count(*) OVER () AS failed
FROM (
    SELECT *, count(*) OVER (PARTITION BY product_key) AS n
    FROM staged_manufacturer_feed
    WHERE submission_id = $submission_id AND product_key IS NOT NULL
)
WHERE n > 1
ORDER BY source_line
LIMIT $limit
