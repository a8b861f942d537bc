-- Location index rows typed.
CREATE TABLE IF NOT EXISTS staged_location_index (
    submission_id VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    zip_area VARCHAR,
    city VARCHAR,
    state VARCHAR,
    division VARCHAR,
    material_index_text VARCHAR,
    material_index DECIMAL(8, 2),
    installation_index_text VARCHAR,
    installation_index DECIMAL(8, 2)
)
