"""Typed resources of the pipelines: the data directory (and the warehouse in it) and feed cadences.

Both are read from ``JOIST_*`` environment variables through :class:`dagster.EnvVar` when set, so
the Dagster UI shows which variable a value came from; unset, they take the same defaults as the
service's settings (``JOIST_DATA_DIR`` → ``./var``, relative to the working directory).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from warehouse.store import connect_warehouse, warehouse_path

__all__ = [
    "DEFAULT_CADENCE_HOURS",
    "DEFAULT_DATA_DIR",
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_SUBMISSION_KEEP",
    "POOL",
    "FeedCadence",
    "WarehouseResource",
    "env_int_or",
    "env_or",
]

#: The concurrency pool of every step that opens the warehouse file (DuckDB lets one process in).
POOL = "warehouse"
#: Same default as ``service.settings`` (the pipelines may not import the service).
DEFAULT_DATA_DIR = "./var"
DEFAULT_CADENCE_HOURS = 24
#: DuckDB's memory limit for the pipeline steps (they spill to disk past it): the pipelines share
#: the machine with the API and the worker; DuckDB's own default is 80 % of RAM.
DEFAULT_MEMORY_LIMIT = "768MB"
DEFAULT_SUBMISSION_KEEP = 3


def env_or(name: str, default: str) -> str:
    """``dg.EnvVar(name)`` when the variable is set, else ``default``.

    A resource field given an unset ``EnvVar`` fails when the run starts; Joist's variables are
    optional, so the choice is made when the definitions load.
    """
    var = dg.EnvVar(name)
    return var if var.get_value() else default


def env_int_or(name: str, default: int) -> int:
    """``dg.EnvVar.int(name)`` when the variable is set, else ``default``."""
    return dg.EnvVar.int(name) if dg.EnvVar(name).get_value() else default


class WarehouseResource(dg.ConfigurableResource):  # type: ignore[type-arg]
    """The data directory of one Joist instance and its DuckDB warehouse.

    Every step that opens the warehouse runs in the ``warehouse`` pool, so one step at a time
    holds the file across all runs; :meth:`connect` closes it before the step ends.
    """

    data_dir: str = Field(default=DEFAULT_DATA_DIR, description="JOIST_DATA_DIR: the instance's data directory")
    memory_limit: str | None = Field(
        default=DEFAULT_MEMORY_LIMIT,
        description="JOIST_WAREHOUSE_MEMORY_LIMIT: DuckDB memory_limit of pipeline steps (e.g. 2GB), spilling past it",
    )
    snapshot_keep: int = Field(default=3, description="serving snapshots kept per data product, for rollback")
    # no ``ge=1`` here: an ``EnvVar.int`` placeholder validates as 0 before it is resolved
    submission_keep: int = Field(
        default=DEFAULT_SUBMISSION_KEEP,
        description="JOIST_SUBMISSION_KEEP: finished submissions per feed and source whose rows and body are kept",
    )

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()

    @property
    def warehouse_file(self) -> Path:
        return warehouse_path(self.data_path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The warehouse, read-write, schema ensured; closed on exit."""
        conn = connect_warehouse(self.data_path, memory_limit=self.memory_limit)
        try:
            yield conn
        finally:
            conn.close()


class FeedCadence(dg.ConfigurableResource):  # type: ignore[type-arg]
    """How often each source is expected to push a feed that gets accepted.

    ``default_hours`` (``JOIST_FEED_CADENCE_HOURS``, default 24) applies to every source that
    ``overrides`` (``JOIST_FEED_CADENCE_OVERRIDES``, ``slug=hours`` pairs separated by commas,
    e.g. ``front-range-supply=168,acme=12``) does not name.
    """

    # no ``ge=1`` here: an ``EnvVar.int`` placeholder validates as 0 before it is resolved
    default_hours: int = Field(default=DEFAULT_CADENCE_HOURS, description="hours between accepted submissions")
    overrides: str = Field(default="", description="slug=hours pairs, comma-separated")

    def per_source(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.overrides.split(","):
            if not item.strip():
                continue
            slug, sep, hours = item.partition("=")
            if not sep or not slug.strip() or not hours.strip().isdigit() or int(hours) < 1:
                raise ValueError(f"cadence override {item.strip()!r} is not slug=hours")
            out[slug.strip()] = int(hours)
        return out

    def expected(self, source: str) -> timedelta:
        """The longest a source may go without an accepted submission."""
        if self.default_hours < 1:
            raise ValueError("the default cadence must be at least 1 hour")
        return timedelta(hours=self.per_source().get(source, self.default_hours))
