-- Every spelling a feed may use for a unit (its code included) → the unit's code.
CREATE TABLE IF NOT EXISTS ref_uom_alias (
    alias VARCHAR PRIMARY KEY,
    code VARCHAR NOT NULL
)
