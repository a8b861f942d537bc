-- Rows whose price per base unit (unit_price ÷ price_quantity ÷ base units per order unit) is too
-- large to store, though each of those is in range: a tiny pack size or price quantity under a
-- large price. Rows whose inputs fail their own rules are not counted again.
SELECT source_line, unit_price_text, price_quantity_text, content_per_order_uom_text, count(*) OVER () AS failed
FROM staged_supplier_catalog
WHERE submission_id = $submission_id
    AND price_per_base_unit IS NULL
    AND unit_price > 0
    AND coalesce(price_quantity, 1) > 0
    AND base_qty > 0
ORDER BY source_line
LIMIT $limit
