-- Rows naming a manufacturer the pushing organisation is not registered to publish for ($makes:
-- the names `joist orgs create --make` / `joist orgs set-makes` gave it, compared without case,
-- spaces or punctuation, as stage.sql keys products). A manufacturer organisation never lists
-- products under another maker's name. NULL $makes (a submission whose manifest names none, such
-- as a file loaded by an operator) checks nothing.
SELECT s.source_line, s.manufacturer, s.model_number, count(*) OVER () AS failed
FROM staged_manufacturer_feed AS s
WHERE s.submission_id = $submission_id
    AND CAST($makes AS VARCHAR[]) IS NOT NULL
    AND s.manufacturer IS NOT NULL
    AND NOT list_contains(
        list_transform(CAST($makes AS VARCHAR[]), lambda m: lower(regexp_replace(m, '[^A-Za-z0-9]', '', 'g'))),
        lower(regexp_replace(s.manufacturer, '[^A-Za-z0-9]', '', 'g'))
    )
ORDER BY s.source_line
LIMIT $limit
