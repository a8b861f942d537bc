-- Per source of a feed: when its last accepted submission was received.
SELECT source, max(received_at) AS last_received_at
FROM submission
WHERE feed = $feed AND status IN ('accepted', 'published')
GROUP BY source
ORDER BY source
