"""The operational database: metadata, portable column types, engine and sessions."""
