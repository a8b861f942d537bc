-- Unit costs adjusted to a ZIP area by the division's location index (material by the material
-- index, labor and equipment by the installation index; the O&P total by the same blend of the
-- two, weighted by the bare costs). Without an index for the area, national average (100).
-- $q matches the lines that have every word of it, stop words aside (as the product search does;
-- the FTS extension's conjunctive mode counts a stop word as a word no line has), best BM25 first.
WITH words AS (
    SELECT string_agg(w, ' ') AS text
    FROM (SELECT unnest(fts_main_cost_items.tokenize($q)) AS w)
    WHERE w NOT IN (SELECT sw FROM fts_main_cost_items.stopwords)
),
hits AS (
    SELECT line_number, score
    FROM (
        SELECT
            line_number,
            fts_main_cost_items.match_bm25(line_number, (SELECT text FROM words), conjunctive := 1) AS score
        FROM cost_items
        WHERE $q IS NOT NULL
    )
    WHERE score IS NOT NULL
),
chosen AS (
    SELECT c.*, coalesce(h.score, 0.0) AS score
    FROM cost_items AS c
    LEFT JOIN hits AS h ON h.line_number = c.line_number
    WHERE ($q IS NULL OR h.score IS NOT NULL)
        AND ($masterformat IS NULL OR starts_with(c.line_key, $masterformat))
        AND ($line_keys IS NULL OR list_contains($line_keys, c.line_key))
        AND (
            $after_line IS NULL
            OR coalesce(h.score, 0.0) < $after_score
            OR (coalesce(h.score, 0.0) = $after_score AND c.line_number > $after_line)
        )
)
SELECT
    c.line_number,
    c.division,
    c.description,
    c.unit,
    c.crew,
    c.daily_output,
    c.labor_hours,
    c.currency,
    c.bare_material,
    c.bare_labor,
    c.bare_equipment,
    c.total_incl_op,
    li.zip_area IS NOT NULL AS index_applied,
    coalesce(li.material_index, 100) AS material_index,
    coalesce(li.installation_index, 100) AS installation_index,
    li.city,
    li.state,
    c.score
FROM chosen AS c
LEFT JOIN location_index AS li ON li.zip_area = $zip_area AND li.division = c.division
ORDER BY c.score DESC, c.line_number
LIMIT $limit
