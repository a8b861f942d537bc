-- Keep a submission's text rows (fields it left out are null) in landed_<feed> ({table}: the
-- feed's table, named by warehouse/landing.py), numbered by their line: the row's place among the
-- rows read, from $first_line. For a file with no line set aside.
INSERT INTO {table} BY NAME
SELECT $submission_id AS submission_id, rowid + $first_line AS source_line, *
FROM landing_rows
