-- Every field name used by an NDJSON body's records.
SELECT DISTINCT unnest(json_keys(json)) AS field
FROM read_ndjson_objects($path)
