-- Price history as a type-2 slowly changing dimension: a row per price that held from
-- effective_from until effective_to (null while current).
CREATE TABLE IF NOT EXISTS price_history (
    supplier VARCHAR NOT NULL,
    supplier_sku VARCHAR NOT NULL,
    price_region VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    unit_price DECIMAL(18, 4) NOT NULL,
    currency VARCHAR NOT NULL,
    price_quantity DECIMAL(18, 6) NOT NULL,
    order_uom VARCHAR NOT NULL,
    base_uom VARCHAR NOT NULL,
    price_per_base_unit DECIMAL(24, 8) NOT NULL,
    effective_from TIMESTAMPTZ NOT NULL,
    effective_to TIMESTAMPTZ,
    is_current BOOLEAN NOT NULL,
    submission_id VARCHAR NOT NULL
)
