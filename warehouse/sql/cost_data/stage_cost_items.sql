-- landed → staged for unit costs: trim, type, canonical unit, division from the line number.
INSERT INTO staged_cost_items BY NAME
WITH src AS (
    SELECT
        source_line,
        nullif(trim(regexp_replace(line_number, '\s+', ' ', 'g')), '') AS line_number,
        nullif(trim(description), '') AS description,
        nullif(upper(trim(regexp_replace(replace(unit, '.', ' '), '\s+', ' ', 'g'))), '') AS unit_key,
        nullif(trim(crew), '') AS crew,
        nullif(trim(daily_output), '') AS daily_output_text,
        nullif(trim(labor_hours), '') AS labor_hours_text,
        nullif(trim(bare_material), '') AS bare_material_text,
        nullif(trim(bare_labor), '') AS bare_labor_text,
        nullif(trim(bare_equipment), '') AS bare_equipment_text,
        nullif(trim(total_incl_op), '') AS total_incl_op_text,
        coalesce(nullif(upper(trim(currency)), ''), 'USD') AS currency
    FROM landed_cost_items
    WHERE submission_id = $submission_id
),
typed AS (
    SELECT
        src.*,
        TRY_CAST(daily_output_text AS DECIMAL(18, 4)) AS daily_output,
        TRY_CAST(labor_hours_text AS DECIMAL(18, 4)) AS labor_hours,
        TRY_CAST(bare_material_text AS DECIMAL(18, 4)) AS bare_material,
        TRY_CAST(bare_labor_text AS DECIMAL(18, 4)) AS bare_labor,
        TRY_CAST(bare_equipment_text AS DECIMAL(18, 4)) AS bare_equipment,
        TRY_CAST(total_incl_op_text AS DECIMAL(18, 4)) AS total_incl_op,
        a.code AS unit_code
    FROM src
    LEFT JOIN ref_uom_alias AS a ON a.alias = src.unit_key
)
SELECT
    $submission_id AS submission_id,
    source_line,
    line_number,
    CASE WHEN regexp_matches(line_number, '^\d{2} ') THEN substr(line_number, 1, 2) END AS division,
    description,
    coalesce(unit_code, unit_key) AS unit,
    crew,
    daily_output_text,
    daily_output,
    labor_hours_text,
    labor_hours,
    bare_material_text,
    bare_material,
    bare_labor_text,
    bare_labor,
    bare_equipment_text,
    bare_equipment,
    total_incl_op_text,
    total_incl_op,
    total_incl_op - (bare_material + bare_labor + bare_equipment) AS op_margin,
    currency
FROM typed
