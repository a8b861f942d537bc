-- Finished submissions (published or rejected) of a feed beyond the newest $keep of their source:
-- they no longer keep their rows in {landed} and {staged}, nor their body. holds_rows: whether
-- rows of it are still there to remove.
WITH holding AS (
    SELECT DISTINCT submission_id FROM {landed}
    UNION
    SELECT DISTINCT submission_id FROM {staged}
)
SELECT submission_id, submission_id IN (SELECT submission_id FROM holding) AS holds_rows
FROM submission
WHERE feed = $feed AND status IN ('published', 'rejected')
QUALIFY row_number() OVER (PARTITION BY source ORDER BY received_at DESC, submission_id DESC) > $keep
ORDER BY received_at, submission_id
