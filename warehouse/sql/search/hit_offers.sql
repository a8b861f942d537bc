-- The offers a page of hits shows (through the ART index on offer_no).
SELECT
    offer_no,
    supplier,
    supplier_sku,
    price_region,
    unit_price,
    currency,
    order_uom,
    price_quantity,
    content_uom,
    content_per_order_uom,
    base_uom,
    price_per_base_unit,
    available_qty,
    lead_time_days,
    valid_from,
    valid_to,
    price_comparison_allowed
FROM offers
WHERE offer_no = ANY($offer_nos)
