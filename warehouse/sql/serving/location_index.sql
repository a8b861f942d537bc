-- Snapshot table: division-level location indexes per 3-digit ZIP area.
CREATE TABLE snap.location_index AS
SELECT zip_area, city, state, division, material_index, installation_index
FROM location_index
ORDER BY zip_area, division
