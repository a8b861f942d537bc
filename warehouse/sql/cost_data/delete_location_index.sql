DELETE FROM location_index AS l
WHERE $full
    OR EXISTS (
        SELECT 1
        FROM staged_location_index AS s
        WHERE s.submission_id = $submission_id AND s.zip_area = l.zip_area AND s.division = l.division
    )
