-- The reader numbers the rows it kept; each set-aside line shifts the rows after it by one.
UPDATE landing_rows SET source_line = source_line + 1
WHERE source_line >= $line
