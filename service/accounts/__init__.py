"""Tenants (builders) and the people in them."""
