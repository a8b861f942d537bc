DELETE FROM landed_location_index WHERE submission_id = $submission_id
