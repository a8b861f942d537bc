-- landed → staged: trim, type, normalise units (contracts/uom.py's rule over ref_uom), drop
-- exact repeats of a row (the first line is kept), and key each row to a product across suppliers.
-- Repeats are looked for among rows whose hash is shared (suspects), and only those rows are
-- compared field by field, so the wide rows are never partitioned as a whole.
INSERT INTO staged_supplier_catalog BY NAME
WITH src AS NOT MATERIALIZED (
    SELECT
        source_line,
        nullif(trim(supplier_sku), '') AS supplier_sku,
        nullif(trim(name), '') AS name,
        nullif(trim(description), '') AS description,
        nullif(trim(brand), '') AS brand,
        nullif(trim(manufacturer), '') AS manufacturer,
        nullif(trim(manufacturer_part_number), '') AS manufacturer_part_number,
        nullif(trim(gtin), '') AS gtin,
        nullif(trim(unspsc), '') AS unspsc,
        nullif(trim(category), '') AS category,
        nullif(upper(trim(regexp_replace(replace(order_uom, '.', ' '), '\s+', ' ', 'g'))), '') AS order_uom_key,
        nullif(upper(trim(regexp_replace(replace(content_uom, '.', ' '), '\s+', ' ', 'g'))), '') AS content_uom_key,
        nullif(trim(content_per_order_uom), '') AS content_per_order_uom_text,
        nullif(trim(price_quantity), '') AS price_quantity_text,
        nullif(trim(unit_price), '') AS unit_price_text,
        nullif(upper(trim(currency)), '') AS currency,
        nullif(trim(price_region), '') AS price_region,
        nullif(trim(available_qty), '') AS available_qty_text,
        nullif(trim(lead_time_days), '') AS lead_time_days_text,
        nullif(trim(valid_from), '') AS valid_from_text,
        nullif(trim(valid_to), '') AS valid_to_text
    FROM landed_supplier_catalog
    WHERE submission_id = $submission_id
),
hashed AS (
    SELECT source_line, hash(supplier_sku, name, description, brand, manufacturer, manufacturer_part_number, gtin,
            unspsc, category, order_uom_key, content_uom_key, content_per_order_uom_text, price_quantity_text,
            unit_price_text, currency, price_region, available_qty_text, lead_time_days_text, valid_from_text,
            valid_to_text) AS row_hash
    FROM src
),
suspects AS (
    SELECT source_line FROM hashed QUALIFY count(*) OVER (PARTITION BY row_hash) > 1
),
repeats AS (
    SELECT s.source_line
    FROM src AS s
    SEMI JOIN suspects AS x ON x.source_line = s.source_line
    QUALIFY row_number() OVER (
        PARTITION BY supplier_sku, name, description, brand, manufacturer, manufacturer_part_number, gtin,
            unspsc, category, order_uom_key, content_uom_key, content_per_order_uom_text, price_quantity_text,
            unit_price_text, currency, price_region, available_qty_text, lead_time_days_text, valid_from_text,
            valid_to_text
        ORDER BY s.source_line
    ) > 1
),
dedup AS (
    SELECT * FROM src WHERE source_line NOT IN (SELECT source_line FROM repeats)
),
typed AS (
    SELECT
        d.*,
        TRY_CAST(d.content_per_order_uom_text AS DECIMAL(18, 6)) AS content_per_order_uom,
        TRY_CAST(d.price_quantity_text AS DECIMAL(18, 6)) AS price_quantity,
        -- null unless the text is stored exactly (unit_price_numeric names a rounded one), so
        -- that 0.00004 is not also reported as "not above zero"
        CASE WHEN TRY_CAST(d.unit_price_text AS DOUBLE) = TRY_CAST(d.unit_price_text AS DECIMAL(18, 4))
            THEN TRY_CAST(d.unit_price_text AS DECIMAL(18, 4)) END AS unit_price,
        TRY_CAST(d.available_qty_text AS DECIMAL(18, 3)) AS available_qty,
        TRY_CAST(d.lead_time_days_text AS INTEGER) AS lead_time_days,
        TRY_CAST(d.valid_from_text AS DATE) AS valid_from,
        TRY_CAST(d.valid_to_text AS DATE) AS valid_to,
        o.code AS order_code,
        o.base_uom AS order_base,
        o.factor AS order_factor,
        c.code AS content_code,
        c.base_uom AS content_base,
        c.factor AS content_factor
    FROM dedup AS d
    LEFT JOIN ref_uom_alias AS oa ON oa.alias = d.order_uom_key
    LEFT JOIN ref_uom AS o ON o.code = oa.code
    LEFT JOIN ref_uom_alias AS ca ON ca.alias = d.content_uom_key
    LEFT JOIN ref_uom AS c ON c.code = ca.code
),
normalised AS (
    SELECT
        *,
        content_uom_key IS NOT NULL AND content_per_order_uom IS NOT NULL AS has_pack,
        order_code IS NOT NULL AND (content_uom_key IS NULL OR content_code IS NOT NULL) AS units_known
    FROM typed
),
based AS (
    SELECT
        *,
        CASE
            WHEN NOT units_known THEN NULL
            WHEN has_pack THEN (CASE WHEN content_factor IS NOT NULL AND content_per_order_uom > 0 THEN content_base END)
            ELSE order_base
        END AS base_uom,
        CASE
            WHEN NOT units_known THEN NULL
            WHEN has_pack THEN (CASE WHEN content_factor IS NOT NULL AND content_per_order_uom > 0 THEN content_per_order_uom * content_factor END)
            ELSE order_factor
        END AS base_qty
    FROM normalised
)
SELECT
    $submission_id AS submission_id,
    $supplier AS supplier,
    source_line,
    supplier_sku,
    name,
    description,
    brand,
    manufacturer,
    manufacturer_part_number,
    gtin,
    unspsc,
    category,
    coalesce(order_code, order_uom_key) AS order_uom,
    coalesce(content_code, content_uom_key) AS content_uom,
    content_per_order_uom_text,
    content_per_order_uom,
    price_quantity_text,
    price_quantity,
    unit_price_text,
    unit_price,
    currency,
    price_region,
    available_qty_text,
    available_qty,
    lead_time_days_text,
    lead_time_days,
    valid_from_text,
    valid_from,
    valid_to_text,
    valid_to,
    date_diff('day', valid_from, valid_to) AS validity_days,
    units_known,
    base_uom,
    base_qty,
    -- null when the quotient does not fit (each input does): price_per_base_unit_fits names the row
    TRY_CAST(unit_price / nullif(coalesce(price_quantity, 1), 0) / nullif(base_qty, 0) AS DECIMAL(24, 8)) AS price_per_base_unit,
    CASE
        WHEN manufacturer IS NOT NULL AND manufacturer_part_number IS NOT NULL
            THEN 'mpn:' || lower(regexp_replace(manufacturer, '[^A-Za-z0-9]', '', 'g')) || ':'
                || upper(regexp_replace(manufacturer_part_number, '[^A-Za-z0-9]', '', 'g'))
        WHEN regexp_full_match(coalesce(gtin, ''), '\d{8}|\d{12,14}') THEN 'gtin:' || lpad(gtin, 14, '0')
        ELSE 'sku:' || $supplier || ':' || supplier_sku
    END AS product_key
FROM based
