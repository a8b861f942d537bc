"""Server-to-server API keys: ``jst_live_`` credentials, stored as SHA-256 hashes."""
