-- The category names by number.
SELECT category FROM (SELECT DISTINCT category_no, category FROM products WHERE category_no >= 0) ORDER BY category_no
