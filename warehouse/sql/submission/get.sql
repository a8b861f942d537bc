SELECT submission_id, feed, source, received_at, mode, terms, status, rows, report, updated_at
FROM submission
WHERE submission_id = $submission_id
