DELETE FROM cost_item AS c
WHERE $full OR c.line_number IN (SELECT line_number FROM staged_cost_items WHERE submission_id = $submission_id)
