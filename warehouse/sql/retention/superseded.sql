-- Finished submissions (published or rejected) of a feed beyond the newest $keep of their source,
-- newest by when they finished (the order they were applied in, whatever their received_at says),
-- and never a source's last published one (what it serves now): they no longer keep their rows
-- in {landed} and {staged}, nor their body. holds_rows: whether rows of it are there to remove.
WITH holding AS (
    SELECT DISTINCT submission_id FROM {landed}
    UNION
    SELECT DISTINCT submission_id FROM {staged}
),
finished AS (
    SELECT
        submission_id,
        status,
        updated_at,
        row_number() OVER (PARTITION BY source ORDER BY updated_at DESC, submission_id DESC) AS newest,
        row_number() OVER (
            PARTITION BY source, status ORDER BY updated_at DESC, submission_id DESC
        ) AS newest_of_status
    FROM submission
    WHERE feed = $feed AND status IN ('published', 'rejected')
)
SELECT submission_id, status, submission_id IN (SELECT submission_id FROM holding) AS holds_rows
FROM finished
WHERE newest > $keep AND NOT (status = 'published' AND newest_of_status = 1)
ORDER BY updated_at, submission_id
