-- The products of a page of hits (through the ART index on product_no).
SELECT product_no, product_id, name, brand, manufacturer, manufacturer_part_number, category
FROM products
WHERE product_no = ANY($product_nos)
