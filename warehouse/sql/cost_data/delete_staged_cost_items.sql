DELETE FROM staged_cost_items WHERE submission_id = $submission_id
