-- Postings with their BM25 weight (k1 = 1.2, b = 0.75, over all of a product's words), stored per
-- term best weight first: a one-word search reads the head of its term's postings and stops.
-- A product some supplier offers (a regional price, stock, a lead time) weighs 1.1 times its BM25
-- match, so that it ranks before a product only its manufacturer sells when the two match about
-- as well (a supplier's name with its brand in it is a longer text, which BM25 weighs down).
CREATE TABLE search_postings AS
WITH lengths AS (
    SELECT l.product_no, l.dl, CASE WHEN p.supplier_count > 0 THEN 1.1 ELSE 1.0 END AS prior
    FROM (SELECT product_no, sum(tf) AS dl FROM search_tf GROUP BY product_no) AS l
    JOIN products AS p ON p.product_no = l.product_no
),
stats AS (
    SELECT (SELECT count(*) FROM products) AS n, avg(dl) AS avgdl FROM lengths
)
SELECT
    t.term_no,
    f.product_no,
    CAST(
        l.prior * ln(1 + (s.n - t.df + 0.5) / (t.df + 0.5)) * f.tf * 2.2
        / (f.tf + 1.2 * (0.25 + 0.75 * l.dl / s.avgdl))
        AS FLOAT
    ) AS weight
FROM search_tf AS f
JOIN search_terms AS t ON t.term_no = f.term_no
JOIN lengths AS l ON l.product_no = f.product_no
CROSS JOIN stats AS s
ORDER BY t.term_no, weight DESC, f.product_no
