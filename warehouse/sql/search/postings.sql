-- A stretch of one term's postings, best weight first (the table's order: no ORDER BY, so the
-- scan stops once it has $take rows).
SELECT product_no, weight
FROM search_postings
WHERE term_no = $term_no
LIMIT $take OFFSET $skip
