-- The size of the snapshot's search index (and a check that it has one).
SELECT (SELECT count(*) FROM search_terms), (SELECT count(*) FROM search_postings)
