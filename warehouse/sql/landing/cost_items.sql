-- Keep a submission's text rows (fields it left out are null).
INSERT INTO landed_cost_items BY NAME
SELECT $submission_id AS submission_id, * FROM landing_rows
