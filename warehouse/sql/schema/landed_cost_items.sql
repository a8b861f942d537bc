-- The feed's rows as sent: every field as text, with the submission and the source line.
CREATE TABLE IF NOT EXISTS landed_cost_items (
    submission_id VARCHAR NOT NULL,
    source_line BIGINT NOT NULL,
    line_number VARCHAR,
    description VARCHAR,
    unit VARCHAR,
    crew VARCHAR,
    daily_output VARCHAR,
    labor_hours VARCHAR,
    bare_material VARCHAR,
    bare_labor VARCHAR,
    bare_equipment VARCHAR,
    total_incl_op VARCHAR,
    currency VARCHAR
)
