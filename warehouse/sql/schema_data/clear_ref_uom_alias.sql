DELETE FROM ref_uom_alias
