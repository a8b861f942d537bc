DELETE FROM landed_supplier_catalog WHERE submission_id = $submission_id
