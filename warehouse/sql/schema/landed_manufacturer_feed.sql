-- The feed's rows as sent: every field as text, with the submission and the source line.
CREATE TABLE IF NOT EXISTS landed_manufacturer_feed (
    submission_id VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    manufacturer VARCHAR,
    model_number VARCHAR,
    name VARCHAR,
    description VARCHAR,
    product_line VARCHAR,
    category VARCHAR,
    gtin VARCHAR,
    unspsc VARCHAR,
    specs VARCHAR,
    list_price VARCHAR,
    currency VARCHAR,
    uom VARCHAR,
    lead_time_days VARCHAR,
    discontinued VARCHAR,
    spec_sheet_url VARCHAR
)
