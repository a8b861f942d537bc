-- Every field name used by a {"records": [...]} JSON body's records.
SELECT DISTINCT unnest(json_keys(record)) AS field
FROM (
    SELECT unnest(json_extract(json, '$.records[*]')) AS record
    FROM read_json_objects($path, format = 'unstructured', maximum_object_size = 536870912)
)
