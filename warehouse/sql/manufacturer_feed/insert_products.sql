INSERT INTO manufacturer_product BY NAME
SELECT
    manufacturer,
    model_number,
    'p_' || substr(md5(product_key), 1, 16) AS product_id,
    name,
    description,
    product_line,
    category,
    gtin,
    unspsc,
    specs,
    list_price,
    currency,
    uom,
    lead_time_days,
    coalesce(discontinued, false) AS discontinued,
    spec_sheet_url,
    submission_id,
    CAST($at AS TIMESTAMPTZ) AS updated_at
FROM staged_manufacturer_feed
WHERE submission_id = $submission_id
