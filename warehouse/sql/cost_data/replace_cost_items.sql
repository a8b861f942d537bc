-- An accepted cost book replaces the lines it lists (a full book replaces every line: see
-- delete_cost_items.sql, run first).
INSERT INTO cost_item BY NAME
SELECT
    line_number,
    division,
    description,
    unit,
    crew,
    daily_output,
    labor_hours,
    coalesce(bare_material, 0) AS bare_material,
    coalesce(bare_labor, 0) AS bare_labor,
    coalesce(bare_equipment, 0) AS bare_equipment,
    coalesce(bare_material, 0) + coalesce(bare_labor, 0) + coalesce(bare_equipment, 0) AS bare_total,
    total_incl_op,
    currency,
    submission_id
FROM staged_cost_items
WHERE submission_id = $submission_id
