-- contracts.uom.UOMS, loaded at start: the one conversion table (see contracts/uom.py).
CREATE TABLE IF NOT EXISTS ref_uom (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    base_uom VARCHAR,
    factor DECIMAL(28, 10)
)
