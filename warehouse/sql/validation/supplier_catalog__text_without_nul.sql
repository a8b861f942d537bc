-- Rows with a NUL character (U+0000) in a text field, and the first such field: no name, code or
-- description has one, and the format rules do not look at these fields (or only warn).
SELECT source_line, supplier_sku, field, count(*) OVER () AS failed
FROM (
    SELECT
        source_line,
        supplier_sku,
        CASE
            WHEN contains(supplier_sku, chr(0)) THEN 'supplier_sku'
            WHEN contains(name, chr(0)) THEN 'name'
            WHEN contains(description, chr(0)) THEN 'description'
            WHEN contains(brand, chr(0)) THEN 'brand'
            WHEN contains(manufacturer, chr(0)) THEN 'manufacturer'
            WHEN contains(manufacturer_part_number, chr(0)) THEN 'manufacturer_part_number'
            WHEN contains(gtin, chr(0)) THEN 'gtin'
            WHEN contains(unspsc, chr(0)) THEN 'unspsc'
            WHEN contains(category, chr(0)) THEN 'category'
        END AS field
    FROM staged_supplier_catalog
    WHERE submission_id = $submission_id
)
WHERE field IS NOT NULL  -- NULL: no field holds a NUL
ORDER BY source_line
LIMIT $limit
