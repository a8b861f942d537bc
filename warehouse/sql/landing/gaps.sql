-- The lines the CSV reader set aside, as shifts of the kept rows: the rows from kept-row index gap
-- on come after `shift` set-aside lines. For the i-th set-aside line r (in line order), the first
-- row after it has index r - i + 1 - $first_line; set-aside lines in a row share that index.
CREATE OR REPLACE TEMP TABLE landing_gaps AS
SELECT gap, max(shift) AS shift
FROM (
    SELECT line - row_number() OVER (ORDER BY line) + 1 - $first_line AS gap, row_number() OVER (ORDER BY line) AS shift
    FROM (SELECT DISTINCT line FROM landing_rejects)
)
GROUP BY gap
