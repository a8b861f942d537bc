DELETE FROM ref_uom
