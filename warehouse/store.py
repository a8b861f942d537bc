"""The warehouse file: one DuckDB database, written only by the pipelines, one run at a time.

Layout under the data directory::

    <data_dir>/warehouse/joist.duckdb     landed_*, staged_*, curated tables, submission, ref_*
    <data_dir>/serving/<product>/          immutable snapshots (see warehouse.snapshots)
    <data_dir>/landing/<submission>/       pushed feeds (see docs/pipelines.md)
    <data_dir>/inbox/cost_data/            dropped cost-data files
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from contracts.uom import UOMS
from warehouse._sql import SQL_DIR, execute

__all__ = ["connect_warehouse", "ensure_schema", "warehouse_path"]

SCHEMA_ORDER = (
    "ref_uom",
    "ref_uom_alias",
    "submission",
    "landed_supplier_catalog",
    "landed_manufacturer_feed",
    "landed_cost_items",
    "landed_location_index",
    "staged_supplier_catalog",
    "staged_manufacturer_feed",
    "staged_cost_items",
    "staged_location_index",
    "catalog_offer",
    "price_history",
    "price_roll",
    "manufacturer_product",
    "cost_item",
    "location_index",
)


def warehouse_path(data_dir: str | Path) -> Path:
    """Where the warehouse file of a data directory lives."""
    return Path(data_dir) / "warehouse" / "joist.duckdb"


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and reload the unit table from :data:`contracts.uom.UOMS`."""
    missing = {p.stem for p in (SQL_DIR / "schema").glob("*.sql")} - set(SCHEMA_ORDER)
    if missing:  # pragma: no cover - a developer forgot to list a new table
        raise RuntimeError(f"schema files not in SCHEMA_ORDER: {sorted(missing)}")
    for name in SCHEMA_ORDER:
        execute(conn, "schema", name)
    conn.execute("BEGIN")
    execute(conn, "schema_data", "clear_ref_uom_alias")
    execute(conn, "schema_data", "clear_ref_uom")
    conn.executemany(
        "INSERT INTO ref_uom VALUES (?, ?, ?, ?, ?)",
        [(u.code, u.name, u.dimension.value, u.base, u.factor) for u in UOMS],
    )
    conn.executemany(
        "INSERT INTO ref_uom_alias VALUES (?, ?)",
        [(alias, u.code) for u in UOMS for alias in (u.code, *u.aliases)],
    )
    conn.execute("COMMIT")


def connect_warehouse(data_dir: str | Path, *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse of a data directory, read-write, schema ensured."""
    path = warehouse_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
    }
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    conn = duckdb.connect(str(path), config=config)
    # a timestamp's date (a publish's day, a push's day) is its UTC day, whatever the host's zone
    conn.execute("SET TimeZone = 'UTC'")
    ensure_schema(conn)
    return conn
