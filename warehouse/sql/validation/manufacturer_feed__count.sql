SELECT count(*) FROM staged_manufacturer_feed WHERE submission_id = $submission_id
