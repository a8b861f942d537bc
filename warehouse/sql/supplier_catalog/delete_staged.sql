DELETE FROM staged_supplier_catalog WHERE submission_id = $submission_id
