-- Manufacturers' current product data, one row per manufacturer and model number.
CREATE TABLE IF NOT EXISTS manufacturer_product (
    manufacturer VARCHAR NOT NULL,
    model_number VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    description VARCHAR,
    product_line VARCHAR,
    category VARCHAR,
    gtin VARCHAR,
    unspsc VARCHAR,
    specs JSON,
    list_price DECIMAL(18, 4) NOT NULL,
    currency VARCHAR NOT NULL,
    uom VARCHAR,
    lead_time_days INTEGER,
    discontinued BOOLEAN NOT NULL,
    spec_sheet_url VARCHAR,
    submission_id VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
)
