-- Query words stemmed as the index stemmed them, with the terms the index has (through the ART
-- index on term); a word whose term is missing has no row.
SELECT w.word, t.term_no, t.df
FROM (SELECT unnest($words) AS word) AS w
JOIN search_terms AS t ON t.term = stem(w.word, 'english')
