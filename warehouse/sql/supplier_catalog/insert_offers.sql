-- The accepted submission's rows become the supplier's current offers.
INSERT INTO catalog_offer BY NAME
SELECT
    supplier,
    supplier_sku,
    price_region,
    'p_' || substr(md5(product_key), 1, 16) AS product_id,
    name,
    description,
    brand,
    manufacturer,
    manufacturer_part_number,
    gtin,
    unspsc,
    category,
    order_uom,
    content_uom,
    content_per_order_uom,
    coalesce(price_quantity, 1) AS price_quantity,
    unit_price,
    currency,
    base_uom,
    base_qty,
    price_per_base_unit,
    available_qty,
    lead_time_days,
    valid_from,
    valid_to,
    $price_comparison_allowed AS price_comparison_allowed,
    submission_id,
    CAST($at AS TIMESTAMPTZ) AS updated_at
FROM staged_supplier_catalog
WHERE submission_id = $submission_id
