-- Keep a submission's text rows (fields it left out are null), numbered by their line: the row's
-- place among the kept rows, from $first_line, plus the lines set aside before it (landing_gaps).
INSERT INTO landed_manufacturer_feed BY NAME
SELECT $submission_id AS submission_id, l.row_index + $first_line + coalesce(g.shift, 0) AS source_line, l.* EXCLUDE (row_index)
FROM (SELECT rowid AS row_index, * FROM landing_rows) AS l
ASOF LEFT JOIN landing_gaps AS g ON l.row_index >= g.gap
