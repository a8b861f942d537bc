-- Each product's category number and base unit as a number ($units lists them; 0: none), in
-- product_no order (the table's).
SELECT category_no, CAST(coalesce(list_position($units, base_uom), 0) AS TINYINT) AS unit_no FROM products
