-- Snapshot table: unit costs at national average.
CREATE TABLE snap.cost_items AS
SELECT
    line_number,
    replace(line_number, ' ', '') AS line_key,
    division,
    description,
    unit,
    crew,
    daily_output,
    labor_hours,
    bare_material,
    bare_labor,
    bare_equipment,
    bare_total,
    total_incl_op,
    currency
FROM cost_item
ORDER BY line_number
