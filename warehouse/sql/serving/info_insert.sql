INSERT INTO snapshot_info VALUES ($key, $value)
