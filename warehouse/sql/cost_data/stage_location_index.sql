-- landed → staged for the location index.
INSERT INTO staged_location_index BY NAME
SELECT
    $submission_id AS submission_id,
    source_line,
    nullif(trim(zip_area), '') AS zip_area,
    nullif(trim(city), '') AS city,
    nullif(upper(trim(state)), '') AS state,
    nullif(trim(division), '') AS division,
    nullif(trim(material_index), '') AS material_index_text,
    TRY_CAST(nullif(trim(material_index), '') AS DECIMAL(8, 2)) AS material_index,
    nullif(trim(installation_index), '') AS installation_index_text,
    TRY_CAST(nullif(trim(installation_index), '') AS DECIMAL(8, 2)) AS installation_index
FROM landed_location_index
WHERE submission_id = $submission_id
