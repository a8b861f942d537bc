-- One row per term: its text, number and document frequency.
CREATE TABLE search_terms AS
SELECT w.term, w.term_no, CAST(f.df AS INTEGER) AS df
FROM (SELECT DISTINCT term, term_no FROM search_words) AS w
JOIN (SELECT term_no, count(*) AS df FROM search_tf GROUP BY term_no) AS f ON f.term_no = w.term_no
ORDER BY w.term_no
