-- Unit costs at national average, one row per MasterFormat line number.
CREATE TABLE IF NOT EXISTS cost_item (
    line_number VARCHAR NOT NULL,
    division VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    crew VARCHAR,
    daily_output DECIMAL(18, 4),
    labor_hours DECIMAL(18, 4),
    bare_material DECIMAL(18, 4) NOT NULL,
    bare_labor DECIMAL(18, 4) NOT NULL,
    bare_equipment DECIMAL(18, 4) NOT NULL,
    bare_total DECIMAL(18, 4) NOT NULL,
    total_incl_op DECIMAL(18, 4) NOT NULL,
    currency VARCHAR NOT NULL,
    submission_id VARCHAR NOT NULL
)
