-- The search fetches the products it found by number.
CREATE UNIQUE INDEX products_product_no ON products (product_no)
