-- Each product's category number, in product_no order (the table's order).
SELECT category_no FROM products
