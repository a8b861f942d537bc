-- What the product search index is built from: every product's number and words, and the other
-- names suppliers give it (search_names). A snapshot with the same fingerprint as the current one
-- can take the current one's index as it is (BM25 weights depend on these words alone).
SELECT
    count(*) || ':' || coalesce(sum(hash(
        product_no, product_id, name, brand, manufacturer, manufacturer_part_number, category, description,
        model_name, product_line
    )::HUGEINT), 0)
    || ':' || (SELECT count(*) || ':' || coalesce(sum(hash(product_no, name)::HUGEINT), 0) FROM search_names)
FROM products
