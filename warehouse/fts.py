"""DuckDB's full-text-search extension, loaded from the ``duckdb-extension-fts`` wheel.

``INSTALL fts`` downloads from the internet, which Joist's machines cannot reach and production
should not depend on; the wheel ships the extension binary built for the pinned DuckDB.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import duckdb_extension_fts

__all__ = ["fts_extension_path", "load_fts"]


@cache
def fts_extension_path() -> Path:
    """The ``fts.duckdb_extension`` file matching the installed DuckDB."""
    root = Path(duckdb_extension_fts.__file__).parent / "extensions"
    wanted = root / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if wanted.is_file():
        return wanted
    found = sorted(root.glob("*/fts.duckdb_extension"))
    if not found:
        raise RuntimeError(f"no fts extension in {root}: reinstall duckdb-extension-fts")
    return found[-1]


def load_fts(conn: duckdb.DuckDBPyConnection) -> None:
    """Load the FTS extension into a connection (its cursors share it)."""
    path = str(fts_extension_path())
    if "'" in path:  # LOAD takes a literal, not a parameter
        raise RuntimeError(f"unexpected quote in extension path {path!r}")
    conn.execute(f"LOAD '{path}'")
