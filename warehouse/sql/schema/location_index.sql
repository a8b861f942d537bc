-- Material and installation index per 3-digit ZIP area and MasterFormat division (100 = average).
CREATE TABLE IF NOT EXISTS location_index (
    zip_area VARCHAR NOT NULL,
    city VARCHAR,
    state VARCHAR,
    division VARCHAR NOT NULL,
    material_index DECIMAL(8, 2) NOT NULL,
    installation_index DECIMAL(8, 2) NOT NULL,
    submission_id VARCHAR NOT NULL
)
