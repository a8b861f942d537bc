"""A minimal django-oauth-toolkit server for ``benchmarks.oauth`` (runs in its own virtualenv)."""
