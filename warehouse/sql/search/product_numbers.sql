-- The product numbers of some product ids (the products a caller's deals name).
SELECT product_id, product_no FROM products WHERE product_id = ANY($product_ids)
