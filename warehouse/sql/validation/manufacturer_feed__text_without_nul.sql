-- Rows with a NUL character (U+0000) in a text field, and the first such field: no name, code or
-- description has one, and the format rules do not look at these fields (or only warn).
SELECT source_line, model_number, field, count(*) OVER () AS failed
FROM (
    SELECT
        source_line,
        model_number,
        CASE
            WHEN contains(manufacturer, chr(0)) THEN 'manufacturer'
            WHEN contains(model_number, chr(0)) THEN 'model_number'
            WHEN contains(name, chr(0)) THEN 'name'
            WHEN contains(description, chr(0)) THEN 'description'
            WHEN contains(product_line, chr(0)) THEN 'product_line'
            WHEN contains(category, chr(0)) THEN 'category'
            WHEN contains(gtin, chr(0)) THEN 'gtin'
            WHEN contains(unspsc, chr(0)) THEN 'unspsc'
            WHEN contains(specs_text, chr(0)) THEN 'specs_text'
            WHEN contains(spec_sheet_url, chr(0)) THEN 'spec_sheet_url'
        END AS field
    FROM staged_manufacturer_feed
    WHERE submission_id = $submission_id
)
WHERE field IS NOT NULL  -- NULL: no field holds a NUL
ORDER BY source_line
LIMIT $limit
