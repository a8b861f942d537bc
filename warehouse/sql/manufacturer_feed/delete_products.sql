-- A manufacturer feed replaces that manufacturer's models it lists (and, when full, all of them).
DELETE FROM manufacturer_product AS m
WHERE m.manufacturer IN (SELECT DISTINCT manufacturer FROM staged_manufacturer_feed WHERE submission_id = $submission_id)
    AND (
        $full
        OR EXISTS (
            SELECT 1
            FROM staged_manufacturer_feed AS s
            WHERE s.submission_id = $submission_id
                AND s.manufacturer = m.manufacturer
                AND s.model_number = m.model_number
        )
    )
