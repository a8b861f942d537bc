"""Helpers of the feed, catalog and deal tests: organisations with keys, a published snapshot,
and the pipelines' side of the landing contract (validate a landed body, write status.json)."""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.samples import write_cost_items_csv, write_location_index_csv
from contracts.schemas import FEEDS
from service.db.database import Database
from warehouse.ingest import ingest_file
from warehouse.snapshots import publish_snapshot
from warehouse.store import connect_warehouse

__all__ = ["Org", "build_snapshot", "make_org", "offer", "play_pipeline", "write_csv", "write_status"]

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Org:
    org_id: uuid.UUID
    slug: str
    kind: str
    key: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_org(db: Database, kind: str = "supplier", terms: Sequence[str] = ()) -> Org:
    from service.orgs.services import create_org, issue_org_key

    slug = f"o-{uuid.uuid4().hex[:12]}"

    def work(session: Any) -> Org:
        org = create_org(session, kind=kind, slug=slug, name=f"Org {slug}", terms=terms)
        _, key = issue_org_key(session, org, name="push key", scopes=["write:catalog"])
        return Org(org.id, slug, kind, key)

    return db.write_sync(work)


def offer(sku: str, price: str, region: str = "*", **extra: object) -> dict[str, object]:
    return {
        "supplier_sku": sku,
        "name": extra.pop("name", f"Item {sku}"),
        "order_uom": extra.pop("order_uom", "EA"),
        "unit_price": price,
        "currency": "USD",
        "price_region": region,
        **extra,
    }


def write_csv(path: Path, feed: str, rows: Sequence[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FEEDS[feed].field_names))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return path


PIPE = {"manufacturer": "Mueller", "manufacturer_part_number": "CU-L-050", "category": "Plumbing > Pipe > Copper"}
FITTING = {"manufacturer": "NIBCO", "manufacturer_part_number": "607-050", "category": "Plumbing > Fittings > Copper"}
STUD = {"manufacturer": "Weyerhaeuser", "manufacturer_part_number": "SPF-248", "category": "Lumber > Dimensional"}


def build_snapshot(data_dir: Path, suppliers: tuple[str, str]) -> None:
    """Two suppliers' catalogs (regional prices, stock, overlapping products) and the sample cost
    book with its location index, ingested and published as the catalog and cost_data snapshots."""
    one, two = suppliers
    work = data_dir / "fixtures"
    conn = connect_warehouse(data_dir)
    try:
        first = [
            offer("P1", "25.00", name="Copper pipe type L 1/2 in x 10 ft", content_uom="LF",
                  content_per_order_uom="10", available_qty="40", lead_time_days="2", **PIPE),
            offer("P1", "27.50", region="802", name="Copper pipe type L 1/2 in x 10 ft", content_uom="LF",
                  content_per_order_uom="10", available_qty="0", **PIPE),
            offer("F1", "30.00", name="Copper 90 degree elbow 1/2 in", order_uom="BOX", content_uom="EA",
                  content_per_order_uom="25", available_qty="5", **FITTING),
            offer("S1", "4.10", name="2x4 x 8 ft SPF stud", available_qty="900", **STUD),
        ]  # fmt: skip
        second = [
            offer("X-9", "2.40", name="Type L copper tube 1/2in", order_uom="LF", available_qty="1000", **PIPE),
            offer("E-2", "1.10", name="Elbow copper 90 1/2 in C x C", available_qty="300", **FITTING),
            offer("S-7", "3.95", name="Stud 2x4 8ft SPF", available_qty="0", **STUD),
            # priced per 10 feet: unit_price buys price_quantity order units
            offer("NM-12", "27.50", name="Romex NM-B cable 12/2", order_uom="LF", price_quantity="10",
                  available_qty="500", category="Electrical > Cable"),
        ]  # fmt: skip
        for sid, source, rows in (("a", one, first), ("b", two, second)):
            path = write_csv(work / f"{sid}.csv", "supplier_catalog", rows)
            report = ingest_file(
                conn, feed="supplier_catalog", submission_id=sid, path=path, source=source, received_at=T0
            )
            assert report.accepted, report.to_dict()
        # a product no supplier offers: sold by its manufacturer at list price
        door = [{"manufacturer": "TruStile", "model_number": "TS1000-30", "name": "TruStile TS1000 interior door",
                 "category": "Doors > Interior", "list_price": "412.00", "currency": "USD", "uom": "EA",
                 "lead_time_days": "21"}]  # fmt: skip
        maker = write_csv(work / "m.csv", "manufacturer_feed", door)
        assert ingest_file(
            conn, feed="manufacturer_feed", submission_id="m", path=maker, source="trustile", received_at=T0
        ).accepted
        costs = write_cost_items_csv(work / "c.csv", 66)
        assert ingest_file(
            conn, feed="cost_items", submission_id="c", path=costs.path, source="book", received_at=T0
        ).accepted
        index = write_location_index_csv(work / "l.csv")
        assert ingest_file(
            conn, feed="location_index", submission_id="l", path=index.path, source="book", received_at=T0
        ).accepted
        publish_snapshot(conn, data_dir=data_dir, product="catalog", now=T0)
        publish_snapshot(conn, data_dir=data_dir, product="cost_data", now=T0)
    finally:
        conn.close()


def write_status(folder: Path, status: str, *, rows: int | None = None, report: dict[str, Any] | None = None) -> None:
    """What the pipelines write into a submission's landing folder (docs/pipelines.md)."""
    body = {
        "submission_id": folder.name,
        "status": status,
        "rows": rows,
        "report": report,
        "updated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    tmp = folder / ".status.json.tmp"
    tmp.write_text(json.dumps(body))
    os.replace(tmp, folder / "status.json")


def play_pipeline(landing_folder: Path, warehouse_dir: Path) -> dict[str, Any]:
    """Do what the pipelines do with a landed submission: validate (and apply) it in a warehouse,
    then report back through status.json. Returns the manifest."""
    manifest: dict[str, Any] = json.loads((landing_folder / "submission.json").read_text())
    write_status(landing_folder, "validating")
    conn = connect_warehouse(warehouse_dir)
    try:
        report = ingest_file(
            conn,
            feed=manifest["feed"],
            submission_id=manifest["submission_id"],
            path=landing_folder / manifest["body"],
            source=manifest["source"],
            received_at=datetime.fromisoformat(manifest["received_at"]),
            mode=manifest["mode"],
            terms=manifest["terms"],
        )
    finally:
        conn.close()
    write_status(
        landing_folder, "accepted" if report.accepted else "rejected", rows=report.rows, report=report.to_dict()
    )
    return manifest
