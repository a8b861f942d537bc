-- Unit cost lines typed; division is the first two digits of the MasterFormat number.
CREATE TABLE IF NOT EXISTS staged_cost_items (
    submission_id VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    line_number VARCHAR,
    division VARCHAR,
    description VARCHAR,
    unit VARCHAR,
    crew VARCHAR,
    daily_output_text VARCHAR,
    daily_output DECIMAL(18, 4),
    labor_hours_text VARCHAR,
    labor_hours DECIMAL(18, 4),
    bare_material_text VARCHAR,
    bare_material DECIMAL(18, 4),
    bare_labor_text VARCHAR,
    bare_labor DECIMAL(18, 4),
    bare_equipment_text VARCHAR,
    bare_equipment DECIMAL(18, 4),
    total_incl_op_text VARCHAR,
    total_incl_op DECIMAL(18, 4),
    op_margin DECIMAL(18, 4),
    currency VARCHAR
)
