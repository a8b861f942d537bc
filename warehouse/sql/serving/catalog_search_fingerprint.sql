-- What the product search index is built from: every product's number and words, whether some
-- supplier offers it (catalog_search_postings weighs that), and the other names suppliers give it
-- (search_names). A snapshot with the same fingerprint as the current one can take the current
-- one's index as it is (the weights depend on these alone).
-- The leading number is the way the index is cut and weighed: raise it with any change to the
-- catalog_search_* files, so that no snapshot copies an index cut the old way.
SELECT
    'v3:' || count(*) || ':' || coalesce(sum(hash(
        product_no, product_id, name, brand, manufacturer, manufacturer_part_number, category, description,
        model_name, product_line, supplier_count > 0
    )::HUGEINT), 0)
    || ':' || (SELECT count(*) || ':' || coalesce(sum(hash(product_no, name)::HUGEINT), 0) FROM search_names)
FROM products
