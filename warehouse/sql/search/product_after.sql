-- Where a cursor's product_id falls in product_no order: its own number, or the next product's.
SELECT coalesce(
    (SELECT product_no FROM products WHERE product_id = $product_id),
    (SELECT min(product_no) FROM products WHERE product_id > $product_id),
    (SELECT count(*) FROM products)
), (SELECT product_no FROM products WHERE product_id = $product_id) IS NOT NULL
