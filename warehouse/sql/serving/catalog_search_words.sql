-- The index's vocabulary: each distinct word with its term, stemmed by the FTS extension's
-- English (Snowball) stemmer, and the term's number (terms in text order).
CREATE TEMP TABLE search_words AS
SELECT word, term, CAST(dense_rank() OVER (ORDER BY term) - 1 AS INTEGER) AS term_no
FROM (SELECT word, stem(word, 'english') AS term FROM (SELECT DISTINCT word FROM search_tokens))
