-- landed → staged for a manufacturer feed: trim, type, parse specs, key each model to a product.
INSERT INTO staged_manufacturer_feed BY NAME
WITH src AS (
    SELECT
        source_line,
        nullif(trim(manufacturer), '') AS manufacturer,
        nullif(trim(model_number), '') AS model_number,
        nullif(trim(name), '') AS name,
        nullif(trim(description), '') AS description,
        nullif(trim(product_line), '') AS product_line,
        nullif(trim(category), '') AS category,
        nullif(trim(gtin), '') AS gtin,
        nullif(trim(unspsc), '') AS unspsc,
        nullif(trim(specs), '') AS specs_text,
        nullif(trim(list_price), '') AS list_price_text,
        nullif(upper(trim(currency)), '') AS currency,
        nullif(upper(trim(regexp_replace(replace(uom, '.', ' '), '\s+', ' ', 'g'))), '') AS uom_key,
        nullif(trim(lead_time_days), '') AS lead_time_days_text,
        nullif(lower(trim(discontinued)), '') AS discontinued_text,
        nullif(trim(spec_sheet_url), '') AS spec_sheet_url
    FROM landed_manufacturer_feed
    WHERE submission_id = $submission_id
    QUALIFY row_number() OVER (
        PARTITION BY manufacturer, model_number, name, description, product_line, category, gtin, unspsc, specs,
            list_price, currency, uom, lead_time_days, discontinued, spec_sheet_url
        ORDER BY source_line
    ) = 1
),
specs_checked AS (
    SELECT
        *,
        CASE
            WHEN specs_text IS NULL THEN NULL
            WHEN NOT json_valid(specs_text) THEN false
            WHEN json_type(specs_text) <> 'ARRAY' THEN false
            ELSE coalesce(list_bool_and(list_transform(
                json_extract(specs_text, '$[*]'),
                x -> json_type(x) = 'OBJECT' AND json_extract_string(x, '$.name') IS NOT NULL
            )), true)
        END AS specs_valid
    FROM src
)
SELECT
    $submission_id AS submission_id,
    s.source_line,
    s.manufacturer,
    s.model_number,
    s.name,
    s.description,
    s.product_line,
    s.category,
    s.gtin,
    s.unspsc,
    s.specs_text,
    CASE WHEN s.specs_valid THEN CAST(s.specs_text AS JSON) END AS specs,
    s.specs_valid,
    s.list_price_text,
    -- null unless the text is stored exactly (list_price_numeric names a rounded one)
    CASE WHEN TRY_CAST(s.list_price_text AS DOUBLE) = TRY_CAST(s.list_price_text AS DECIMAL(18, 4))
        THEN TRY_CAST(s.list_price_text AS DECIMAL(18, 4)) END AS list_price,
    s.currency,
    coalesce(a.code, s.uom_key) AS uom,
    s.lead_time_days_text,
    TRY_CAST(s.lead_time_days_text AS INTEGER) AS lead_time_days,
    s.discontinued_text,
    CASE
        WHEN s.discontinued_text IN ('true', 't', 'yes', 'y', '1') THEN true
        WHEN s.discontinued_text IN ('false', 'f', 'no', 'n', '0') THEN false
    END AS discontinued,
    s.discontinued_text IS NOT NULL AS discontinued_given,
    s.spec_sheet_url,
    CASE
        WHEN s.manufacturer IS NOT NULL AND s.model_number IS NOT NULL
            THEN 'mpn:' || lower(regexp_replace(s.manufacturer, '[^A-Za-z0-9]', '', 'g')) || ':'
                || upper(regexp_replace(s.model_number, '[^A-Za-z0-9]', '', 'g'))
    END AS product_key
FROM specs_checked AS s
LEFT JOIN ref_uom_alias AS a ON a.alias = s.uom_key
