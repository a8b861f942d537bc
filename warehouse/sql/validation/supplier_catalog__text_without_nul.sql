-- Rows with a NUL character (U+0000) in a text field: no name, code or description has one, and
-- the format rules do not look at these fields (or only warn).
SELECT source_line, supplier_sku, name, count(*) OVER () AS failed
FROM staged_supplier_catalog
WHERE submission_id = $submission_id
    AND (
        contains(supplier_sku, chr(0))
        OR contains(name, chr(0))
        OR contains(description, chr(0))
        OR contains(brand, chr(0))
        OR contains(manufacturer, chr(0))
        OR contains(manufacturer_part_number, chr(0))
        OR contains(gtin, chr(0))
        OR contains(unspsc, chr(0))
        OR contains(category, chr(0))
    )
ORDER BY source_line
LIMIT $limit
