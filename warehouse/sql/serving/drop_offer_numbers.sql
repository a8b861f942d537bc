-- The offer numbering is in the snapshot now.
DROP TABLE IF EXISTS offer_numbers
