-- Per source of a feed that has sent anything: when its last accepted submission was received
-- (null: none was ever accepted) and when its first submission was.
SELECT
    source,
    max(received_at) FILTER (WHERE status IN ('accepted', 'published')) AS last_accepted_at,
    min(received_at) AS first_received_at
FROM submission
WHERE feed = $feed
GROUP BY source
ORDER BY source
