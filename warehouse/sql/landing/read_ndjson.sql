-- An NDJSON body (one record per line) as text rows; every value is read as text.
CREATE OR REPLACE TEMP TABLE landing_rows AS
SELECT
    unnest(json_transform(json, $structure))
FROM read_ndjson_objects($path)
