-- Keep a submission's text rows (fields it left out are null).
INSERT INTO landed_manufacturer_feed BY NAME
SELECT $submission_id AS submission_id, * FROM landing_rows
