-- Term frequencies per product.
CREATE TEMP TABLE search_tf AS
SELECT w.term_no, t.product_no, CAST(count(*) AS INTEGER) AS tf
FROM search_tokens AS t
JOIN search_words AS w ON w.word = t.word
GROUP BY ALL
