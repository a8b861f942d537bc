-- Accepted submissions whose data a snapshot now serves.
UPDATE submission SET status = 'published', updated_at = now()
WHERE status = 'accepted' AND feed IN (SELECT unnest($feeds))
RETURNING submission_id
