-- How many keys the roll looks at (none: nothing else to do).
SELECT count(*) FROM rolled_keys
