"""Pipeline fixtures: a temporary data directory (warehouse, landing, serving) and a throwaway
Dagster instance, with helpers that land submissions the way the service does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from contracts.samples import (
    write_cost_items_csv,
    write_location_index_csv,
    write_manufacturer_csv,
    write_supplier_csv,
)
from pipelines.submissions import write_manifest
from warehouse.curated import record_submission
from warehouse.store import connect_warehouse, warehouse_path

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
SUPPLIER = "front-range-supply"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def write_body(path: Path, feed: str, rows: int, *, dirty: bool = False) -> None:
    """A small sample body of ``feed`` (contracts.samples) at ``path``."""
    if feed == "supplier_catalog":
        write_supplier_csv(path, rows, dirty=dirty, supplier=SUPPLIER)
    elif feed == "manufacturer_feed":
        write_manufacturer_csv(path, rows, dirty=dirty)
    elif feed == "cost_items":
        write_cost_items_csv(path, rows, dirty=dirty)
    elif feed == "location_index":
        write_location_index_csv(path)
    else:  # pragma: no cover - a test asked for a feed that does not exist
        raise KeyError(feed)


def land(
    data_dir: Path,
    submission_id: str,
    *,
    feed: str = "supplier_catalog",
    rows: int = 120,
    dirty: bool = False,
    source: str = SUPPLIER,
    received_at: datetime = T0,
    body: Callable[[Path], object] | None = None,
) -> Path:
    """A landing folder as the service leaves it: the body, then the manifest renamed into place."""
    folder = data_dir / "landing" / submission_id
    folder.mkdir(parents=True)
    path = folder / "body.csv"
    if body is not None:
        body(path)
    else:
        write_body(path, feed, rows, dirty=dirty)
    write_manifest(
        data_dir, submission_id=submission_id, feed=feed, source=source, received_at=received_at, body="body.csv"
    )
    return folder


def record(
    data_dir: Path, sid: str, source: str, received_at: datetime, status: str, feed: str = "supplier_catalog"
) -> None:
    """A submission's record in the warehouse, as the pipelines keep it (no rows, no folder)."""
    conn = connect_warehouse(data_dir)
    try:
        record_submission(
            conn,
            submission_id=sid,
            feed=feed,
            source=source,
            received_at=received_at,
            mode="full",
            terms=[],
            status=status,
        )
    finally:
        conn.close()


def query(data_dir: Path, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    """Read the warehouse (closed again at once, as the pipelines leave it between steps)."""
    conn = duckdb.connect(str(warehouse_path(data_dir)), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()
