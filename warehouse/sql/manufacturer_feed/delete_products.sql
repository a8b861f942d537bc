-- A manufacturer feed replaces the products it lists (compared as product_key, so a model respelled
-- "ZD100" for "ZD-100" replaces it) and, when full, every other model of the manufacturers it names;
-- only its own source's rows: rule model_of_other_source rejects a feed naming another
-- organisation's models.
DELETE FROM manufacturer_product AS m
WHERE m.submission_id IN (
        SELECT o.submission_id
        FROM submission AS o
        JOIN submission AS this ON this.source = o.source AND this.feed = o.feed
        WHERE this.submission_id = $submission_id
    )
    AND (
        m.product_id IN (
            SELECT 'p_' || substr(md5(product_key), 1, 16)
            FROM staged_manufacturer_feed
            WHERE submission_id = $submission_id AND product_key IS NOT NULL
        )
        OR $full AND lower(regexp_replace(m.manufacturer, '[^A-Za-z0-9]', '', 'g')) IN (
            SELECT DISTINCT lower(regexp_replace(manufacturer, '[^A-Za-z0-9]', '', 'g'))
            FROM staged_manufacturer_feed
            WHERE submission_id = $submission_id
        )
    )
