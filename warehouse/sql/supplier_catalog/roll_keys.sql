-- SCD2 between pushes (each catalog publish), step 1: the keys whose served price changed without
-- a push since the day of the last roll (price_roll): a row sent ahead (valid_from after the day
-- it was pushed) whose day has come, or a row in effect when pushed whose valid_to has passed.
-- The push itself recorded what was in effect on its day, and the last roll what was in effect on
-- its own; so only the days between count, and a key whose rows have no dates is never looked at.
CREATE OR REPLACE TEMP TABLE rolled_keys AS
WITH since AS (
    SELECT CAST(max(rolled_at) AS DATE) AS last_day FROM price_roll
)
SELECT DISTINCT o.supplier, o.supplier_sku, o.price_region
FROM catalog_offer AS o, since AS s
WHERE (
        o.valid_from > CAST(o.updated_at AS DATE)
        AND (s.last_day IS NULL OR o.valid_from > s.last_day)
        AND o.valid_from <= CAST($at AS DATE)
    )
    OR (
        o.valid_to >= CAST(o.updated_at AS DATE)
        AND (s.last_day IS NULL OR o.valid_to >= s.last_day)
        AND o.valid_to < CAST($at AS DATE)
    )
