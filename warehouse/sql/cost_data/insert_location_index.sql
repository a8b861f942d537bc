INSERT INTO location_index BY NAME
SELECT zip_area, city, state, division, material_index, installation_index, submission_id
FROM staged_location_index
WHERE submission_id = $submission_id
