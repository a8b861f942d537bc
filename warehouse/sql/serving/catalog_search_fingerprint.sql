-- What the product search index is built from: every product's number and words. A snapshot
-- with the same fingerprint as the current one can take the current one's index as it is (BM25
-- weights depend on these words alone).
SELECT count(*) || ':' || coalesce(sum(hash(product_no, product_id, name, brand, manufacturer, manufacturer_part_number, category, description)::HUGEINT), 0)
FROM products
