-- The feed's rows as sent: every field as text, with the submission and the source line.
CREATE TABLE IF NOT EXISTS landed_location_index (
    submission_id VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    zip_area VARCHAR,
    city VARCHAR,
    state VARCHAR,
    division VARCHAR,
    material_index VARCHAR,
    installation_index VARCHAR
)
