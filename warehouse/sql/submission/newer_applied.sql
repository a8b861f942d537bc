-- The newest submission of the same feed and source that was received after this one and has
-- been applied (accepted or published), if any: applying this one after it would put older data
-- back (rule newest_of_source).
SELECT newer.submission_id, newer.received_at, this.received_at AS this_received_at
FROM submission AS this
JOIN submission AS newer ON newer.feed = this.feed AND newer.source = this.source
WHERE this.submission_id = $submission_id
  AND newer.received_at > this.received_at
  AND newer.status IN ('accepted', 'published')
ORDER BY newer.received_at DESC, newer.submission_id
LIMIT 1
