"""Benchmarks for Joist; each module runs with ``uv run python -m benchmarks.<name>``."""
