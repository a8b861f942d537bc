-- The products of a page of hits (through the ART index on product_no), with the manufacturer's
-- list price (the only price of a product no supplier offers), lead time and whether it is
-- discontinued. Columns by name: a snapshot published before a column was added still reads (the
-- column is then absent).
SELECT COLUMNS(lambda c: c IN (
    'product_no', 'product_id', 'name', 'brand', 'manufacturer', 'manufacturer_part_number', 'category',
    'list_price', 'list_price_currency', 'list_price_uom', 'manufacturer_lead_time_days', 'discontinued'
))
FROM products
WHERE product_no = ANY($product_nos)
