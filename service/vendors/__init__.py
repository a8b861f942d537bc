"""Vendors: the builder's own list of subcontractors and suppliers."""
