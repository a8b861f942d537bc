SELECT
    product_id, name, description, brand, manufacturer, manufacturer_part_number, gtin, unspsc, category,
    base_uom, supplier_count, product_line, CAST(specs AS VARCHAR) AS specs, spec_sheet_url, list_price,
    list_price_currency, discontinued
FROM products
WHERE product_id = $product_id
