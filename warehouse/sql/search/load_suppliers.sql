-- The supplier numbers.
SELECT DISTINCT supplier_no, supplier FROM offers
