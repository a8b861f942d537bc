-- The lines no kept row came from ($lines: set aside by the reader, or blank and skipped), as
-- shifts of the kept rows: the rows from kept-row index gap on come after `shift` such lines. For
-- the i-th such line r (in line order), the first row after it has index r - i + 1 - $first_line;
-- lines in a row share that index.
CREATE OR REPLACE TEMP TABLE landing_gaps AS
SELECT gap, max(shift) AS shift
FROM (
    SELECT line - row_number() OVER (ORDER BY line) + 1 - $first_line AS gap, row_number() OVER (ORDER BY line) AS shift
    FROM (SELECT DISTINCT unnest(CAST($lines AS BIGINT[])) AS line)
)
GROUP BY gap
