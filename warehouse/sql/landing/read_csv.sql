-- A CSV body (gzip when named .gz) as text rows, its header already checked and given as
-- $columns. Rows with too many or too few values, or bytes that are not UTF-8, go to the
-- landing_rejects table with their line instead of failing the load. The rows keep the file's
-- order (insertion order is preserved), so a row's rowid is its place among the kept rows: no
-- row_number() window, which would read the file on one thread.
CREATE OR REPLACE TEMP TABLE landing_rows AS
SELECT *
FROM read_csv(
    $path,
    columns = $columns,
    auto_detect = false,
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    encoding = 'utf-8',
    store_rejects = true,
    rejects_table = 'landing_rejects',
    rejects_scan = 'landing_reject_scans',
    rejects_limit = 0
)
