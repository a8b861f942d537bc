-- Every column of the product by name (the reader picks them by name, so a snapshot published
-- before a column was added still reads: the column is then absent, not an error).
SELECT * REPLACE (CAST(specs AS VARCHAR) AS specs)
FROM products
WHERE product_id = $product_id
