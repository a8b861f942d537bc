-- As keep_rows, for a file with lines set aside: each row's number adds the set-aside lines
-- before it (landing_gaps), found by one ASOF join (which sorts the rows, so only when needed).
INSERT INTO {table} BY NAME
SELECT $submission_id AS submission_id, l.row_index + $first_line + coalesce(g.shift, 0) AS source_line, l.* EXCLUDE (row_index)
FROM (SELECT rowid AS row_index, * FROM landing_rows) AS l
ASOF LEFT JOIN landing_gaps AS g ON l.row_index >= g.gap
