-- The staged rows Great Expectations validates (in the order staging wrote them, which is the
-- file's; not sorted again, so the frames stream without DuckDB holding the submission).
SELECT * FROM staged_cost_items WHERE submission_id = $submission_id
