-- SCD2 between pushes (each catalog publish), step 1: the keys whose served price may have changed
-- since the push that recorded it, without a push: a row sent ahead (valid_from after the day it
-- was pushed) whose day has come, or a row whose valid_to has passed. A key whose rows have no
-- dates only changes with a push: none of those is looked at.
CREATE OR REPLACE TEMP TABLE rolled_keys AS
SELECT DISTINCT supplier, supplier_sku, price_region
FROM catalog_offer
WHERE (valid_from > CAST(updated_at AS DATE) AND valid_from <= CAST($at AS DATE))
    OR valid_to < CAST($at AS DATE)
