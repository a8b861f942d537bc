-- The staged rows Great Expectations validates, in source order.
SELECT * FROM staged_supplier_catalog WHERE submission_id = $submission_id ORDER BY source_line
