-- Record (or update) a submission's status, row count and report.
INSERT INTO submission (submission_id, feed, source, received_at, mode, terms, status, rows, report, updated_at)
VALUES ($submission_id, $feed, $source, $received_at, $mode, $terms, $status, $rows, $report, now())
ON CONFLICT (submission_id) DO UPDATE SET
    status = excluded.status,
    rows = excluded.rows,
    report = excluded.report,
    updated_at = excluded.updated_at
