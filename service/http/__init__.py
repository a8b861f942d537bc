"""The public API conventions, built once and used by every route (see API_CONVENTIONS.md)."""
