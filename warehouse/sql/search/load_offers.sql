-- The offers' numeric columns the search filters and orders by, in offer_no order (the table's).
SELECT
    offer_no,
    product_no,
    region_no,
    CAST(unit_price AS DOUBLE) AS unit_price,
    CAST(coalesce(price_per_base_unit, 'infinity'::DOUBLE) AS DOUBLE) AS price_per_base_unit,
    coalesce(available_qty > 0, false) AS in_stock,
    coalesce(price_comparison_allowed, true) AS price_comparison_allowed,
    -- prices compare within a currency: the catalog's (USD) first, then any other
    currency <> 'USD' AS other_currency,
    supplier_no,
    group_start
FROM offers
