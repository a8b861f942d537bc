-- A {"records": [...]} JSON body as text rows; the line is the record's position (1-based).
CREATE OR REPLACE TEMP TABLE landing_rows AS
SELECT
    unnest(json_transform(record, $structure))
FROM (
    SELECT unnest(json_extract(json, '$.records[*]')) AS record
    FROM read_json_objects($path, format = 'unstructured', maximum_object_size = 536870912)
)
