-- The offers' numeric columns the search filters and orders by, in offer_no order (the table's).
SELECT
    offer_no,
    product_no,
    region_no,
    CAST(unit_price AS DOUBLE) AS unit_price,
    -- how many order units the price buys (1 when not a positive number), for a deal's amount off each
    CASE WHEN price_quantity > 0 THEN CAST(price_quantity AS DOUBLE) ELSE 1 END AS price_quantity,
    CAST(coalesce(price_per_base_unit, 'infinity'::DOUBLE) AS DOUBLE) AS price_per_base_unit,
    coalesce(available_qty > 0, false) AS in_stock,
    coalesce(price_comparison_allowed, true) AS price_comparison_allowed,
    -- prices compare within a currency: the catalog's (USD) first, then any other
    currency <> 'USD' AS other_currency,
    -- the currency as a number ($currencies lists them), for a deal's amount off in its currency
    CAST(list_position($currencies, currency) AS SMALLINT) AS currency_no,
    -- the base unit as a number ($units lists them; 0: none), to compare with the product's
    CAST(coalesce(list_position($units, base_uom), 0) AS TINYINT) AS unit_no,
    supplier_no,
    group_start
FROM offers
