-- The other names suppliers give a product (each once; not the product's own name), for the
-- search index and its fingerprint.
CREATE OR REPLACE TEMP TABLE search_names AS
SELECT DISTINCT o.product_no, o.name
FROM offers AS o
JOIN products AS p ON p.product_no = o.product_no
WHERE o.name <> p.name
