DELETE FROM staged_location_index WHERE submission_id = $submission_id
