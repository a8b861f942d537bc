SELECT value FROM snapshot_info WHERE key = 'snapshot_id'
