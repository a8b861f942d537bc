SELECT count(*) FROM landing_rows
