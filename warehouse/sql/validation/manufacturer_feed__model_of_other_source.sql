-- Rows naming a product (as stage.sql's product_key) that another organisation's manufacturer feed
-- has applied: one manufacturer organisation never replaces another's models.
SELECT s.source_line, s.manufacturer, s.model_number, count(*) OVER () AS failed
FROM staged_manufacturer_feed AS s
WHERE s.submission_id = $submission_id
    AND s.product_key IS NOT NULL
    AND EXISTS (
        SELECT 1
        FROM manufacturer_product AS m
        JOIN submission AS owner ON owner.submission_id = m.submission_id
        WHERE m.product_id = 'p_' || substr(md5(s.product_key), 1, 16)
            AND owner.source <> (SELECT source FROM submission WHERE submission_id = $submission_id)
    )
ORDER BY s.source_line
LIMIT $limit
