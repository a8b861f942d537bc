"""Assets: per feed, one submission (a dynamic partition) goes landed → staged → validated →
curated; per data product, the curated tables go into a serving snapshot.

::

    supplier_catalog/landed → staged → validated ─(blocking checks)→ curated ─┐
    manufacturer_feed/landed → staged → validated ─(blocking checks)→ curated ─┴→ serving/catalog
    cost_items/landed → staged → validated ─(blocking checks)→ curated ───────┐
    location_index/landed → staged → validated ─(blocking checks)→ curated ───┴→ serving/cost_data

Each asset is one call into ``warehouse/`` (the SQL stays there) on a connection that the step
opens and closes; every asset that opens the warehouse is in the ``warehouse`` pool. The
``validated`` asset records the report (and ``rejected`` when a blocking rule failed) before it
emits the checks, so a rejected submission ends recorded even though the run stops there;
``curated`` records ``accepted`` once the rows are in the curated tables, and the snapshot marks
those ``published``.
"""

# no ``from __future__ import annotations``: Dagster reads the context and resource annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import duckdb

from contracts.report import ValidationReport
from contracts.rules import NEWEST_OF_SOURCE
from contracts.schemas import NO_PRICE_COMPARISON
from pipelines.checks import check_evaluation, check_results, check_specs, report_metadata
from pipelines.resources import POOL, FeedCadence, WarehouseResource
from pipelines.submissions import FEEDS, Manifest, ManifestError, pruned_at, read_manifest, write_status
from warehouse.curated import (
    apply_submission,
    get_submission,
    last_received,
    mark_published,
    record_submission,
    roll_price_history,
)
from warehouse.landing import land_feed
from warehouse.snapshots import publish_snapshot
from warehouse.staging import stage_feed
from warehouse.validation import newest_of_source, validate_staged

__all__ = [
    "FEED_ASSETS",
    "FRESHNESS_CHECKS",
    "PRODUCT_FEEDS",
    "SERVING_ASSETS",
    "FeedAssets",
    "all_assets",
    "submission_partitions",
]

#: data product → the feeds its snapshot serves
PRODUCT_FEEDS: dict[str, tuple[str, ...]] = {
    "catalog": ("supplier_catalog", "manufacturer_feed"),
    "cost_data": ("cost_items", "location_index"),
}
_GROUPS = {
    "supplier_catalog": "supplier_catalog",
    "manufacturer_feed": "manufacturer_products",
    "cost_items": "cost_data",
    "location_index": "cost_data",
}
_KINDS = {"duckdb"}


def submission_partitions(feed: str) -> dg.DynamicPartitionsDefinition:
    """The dynamic partitions of a feed: one per submission id (never a SKU, region or branch)."""
    return dg.DynamicPartitionsDefinition(name=f"{feed}_submissions")


def _manifest(context: dg.AssetExecutionContext, warehouse: WarehouseResource, feed: str) -> Manifest:
    try:
        manifest = read_manifest(warehouse.data_path, context.partition_key)
    except ManifestError as exc:
        raise dg.Failure(description=f"submission {context.partition_key}: {exc}") from None
    if manifest.feed != feed:
        raise dg.Failure(description=f"submission {manifest.submission_id} is a {manifest.feed}, not a {feed}")
    pruned = pruned_at(warehouse.data_path, manifest.submission_id)
    if pruned:
        # its rows and body are gone (pipelines/retention.py): a run would find nothing to apply
        raise dg.Failure(
            description=f"submission {manifest.submission_id} is no longer kept (pruned {pruned}); "
            "send its feed again as a new submission"
        )
    return manifest


@dataclass(frozen=True)
class FeedAssets:
    feed: str
    partitions: dg.DynamicPartitionsDefinition
    landed: dg.AssetsDefinition
    staged: dg.AssetsDefinition
    validated: dg.AssetsDefinition
    curated: dg.AssetsDefinition

    @property
    def partitions_name(self) -> str:
        """The name of the feed's dynamic partitions (``<feed>_submissions``)."""
        return f"{self.feed}_submissions"

    @property
    def assets(self) -> list[dg.AssetsDefinition]:
        return [self.landed, self.staged, self.validated, self.curated]


def _feed_assets(feed: str) -> FeedAssets:
    partitions = submission_partitions(feed)
    group = _GROUPS[feed]
    landed_key = dg.AssetKey([feed, "landed"])
    staged_key = dg.AssetKey([feed, "staged"])
    validated_key = dg.AssetKey([feed, "validated"])
    curated_key = dg.AssetKey([feed, "curated"])

    @dg.asset(
        key=landed_key,
        description=f"The submission's body as text rows in landed_{feed}, with the structure rules' results.",
        kinds=_KINDS,
        partitions_def=partitions,
        pool=POOL,
        group_name=group,
    )
    def landed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
        manifest = _manifest(context, warehouse, feed)
        with warehouse.connect() as conn:
            _begin(conn, manifest)
            result = land_feed(conn, feed=feed, submission_id=manifest.submission_id, path=manifest.body)
            # the structure results wait in the submission's record for the validated step
            structure = ValidationReport(feed=feed, rows=result.rows, rules=result.structure)
            record_submission(conn, **manifest.record(), status="validating", rows=result.rows, report=structure)
        write_status(warehouse.data_path, manifest.submission_id, "validating", feed=feed, rows=result.rows)
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": dg.MetadataValue.int(result.rows),
                "source": manifest.source,
                "received_at": manifest.received_at.isoformat(),
                "mode": manifest.mode,
                "body": dg.MetadataValue.path(str(manifest.body)),
                "structure": dg.MetadataValue.json({r.rule: r.status for r in result.structure}),
            }
        )

    @dg.asset(
        key=staged_key,
        deps=[landed],
        description=f"staged_{feed}: trimmed, typed, units canonical, exact repeats dropped.",
        kinds=_KINDS,
        partitions_def=partitions,
        pool=POOL,
        group_name=group,
    )
    def staged(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
        manifest = _manifest(context, warehouse, feed)
        with warehouse.connect() as conn:
            rows = stage_feed(conn, feed=feed, submission_id=manifest.submission_id, source=manifest.source)
        return dg.MaterializeResult(metadata={"dagster/row_count": dg.MetadataValue.int(rows)})

    # can_subset: a check without a result (a rule a report leaves out when nothing could be
    # read) is not an error of the step; Dagster shows it as "Execution failed" in that run
    @dg.multi_asset(
        name=f"{feed}__validated",
        specs=[
            dg.AssetSpec(
                validated_key,
                deps=[staged],
                description=f"The {feed} rules over the staged submission: accepted or rejected, with the report.",
                group_name=group,
                kinds={"duckdb", "great_expectations"},
            )
        ],
        check_specs=check_specs(feed, validated_key, partitions),
        can_subset=True,
        partitions_def=partitions,
        pool=POOL,
    )
    def validated(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[Any]:
        manifest = _manifest(context, warehouse, feed)
        sid = manifest.submission_id
        with warehouse.connect() as conn:
            record = get_submission(conn, sid)
            if record is None or record.report is None:
                raise dg.Failure(description=f"submission {sid} has not been landed")
            structure = [r for r in record.report.rules if r.kind == "structure"]
            report = validate_staged(conn, feed=feed, submission_id=sid, structure=structure, makes=manifest.makes)
            # "accepted" waits for curated to apply it, so that a publish in between (another
            # run's) never marks a submission published before its rows are in the tables
            status = "validating" if report.accepted else "rejected"
            recording = validated_key in context.selected_asset_keys
            if recording:
                record_submission(conn, **manifest.record(), status=status, rows=report.rows, report=report)
        if recording:
            write_status(warehouse.data_path, sid, status, feed=feed, rows=report.rows, report=report)
            verdict = "accepted" if report.accepted else "rejected"
            context.log.info(f"submission {sid}: {verdict}, {len(report.failed_rules)} rule(s) failed")
            yield dg.MaterializeResult(asset_key=validated_key, metadata=report_metadata(report))
        yield from check_results(report, validated_key, context.selected_asset_check_keys)

    @dg.asset(
        key=curated_key,
        deps=[validated],
        description=f"The accepted {feed} submission folded into the curated tables (one transaction).",
        kinds=_KINDS,
        partitions_def=partitions,
        pool=POOL,
        group_name=group,
    )
    def curated(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
        manifest = _manifest(context, warehouse, feed)
        sid = manifest.submission_id
        with warehouse.connect() as conn:
            record = get_submission(conn, sid)
            if record is None or record.report is None or record.status != "validating" or not record.report.accepted:
                # blocking checks stop a rejected one before this step; a hand-picked selection does not
                raise dg.Failure(
                    description=f"submission {sid} ({'unknown' if record is None else record.status}) has not "
                    "just passed validation: only such a "
                    "submission is applied (run it again from landed to re-apply it)"
                )
            if not record.rows:
                # an empty file is rejected when landed; no staged rows here means they went missing,
                # and applying nothing in full would empty the source's curated rows
                raise dg.Failure(description=f"submission {sid} has no staged rows: there is nothing to apply")
            report = _apply_unless_superseded(conn, manifest, record.rows, record.report)
        write_status(warehouse.data_path, sid, report.verdict, feed=feed, rows=record.rows, report=report)
        if not report.accepted:
            raise _superseded(context, validated_key, sid, report)
        return dg.MaterializeResult(metadata={"source": manifest.source, "mode": manifest.mode})

    return FeedAssets(feed, partitions, landed, staged, validated, curated)


def _begin(conn: duckdb.DuckDBPyConnection, manifest: Manifest) -> None:
    """Record the submission ``validating`` as its run starts. A run again of a submission that
    was applied (accepted or published) stops here instead, before its records change, when a
    newer one of its source was applied since: it would only end rejected by
    ``newest_of_source``, and its status (what it was, what was served) would be lost."""
    sid = manifest.submission_id
    record = get_submission(conn, sid)
    if record is not None and record.status in ("accepted", "published"):
        newest = newest_of_source(conn, feed=manifest.feed, submission_id=sid, rows=record.rows or 0)
        if not newest.passed:
            raise dg.Failure(description=f"submission {sid} was {record.status}; not run again: {newest.message}")
    record_submission(conn, **manifest.record(), status="validating")


def _superseded(
    context: dg.AssetExecutionContext, validated_key: dg.AssetKey, sid: str, report: ValidationReport
) -> dg.Failure:
    """The failure of a ``curated`` step that found a newer submission applied. validated's
    ``newest_of_source`` check passed when it ran; the rule's result as of now is logged as a new
    evaluation of that check, so the Dagster UI shows it failing too."""
    newest = report.rule(NEWEST_OF_SOURCE)
    context.log_event(check_evaluation(validated_key, newest, sid))
    return dg.Failure(description=f"submission {sid} rejected: {newest.message}")


def _apply_unless_superseded(
    conn: duckdb.DuckDBPyConnection, manifest: Manifest, rows: int, report: ValidationReport
) -> ValidationReport:
    """Fold a validated submission into the curated tables and record it accepted, unless a newer
    submission of its source was applied since it was validated: then record it rejected by
    ``newest_of_source``. Its report, with that rule's result as of now."""
    sid = manifest.submission_id
    newest = newest_of_source(conn, feed=manifest.feed, submission_id=sid, rows=rows)
    report = report.with_result(newest)
    if newest.passed:
        apply_submission(
            conn,
            feed=manifest.feed,
            submission_id=sid,
            source=manifest.source,
            at=manifest.received_at,
            mode=manifest.mode,
            price_comparison_allowed=NO_PRICE_COMPARISON not in manifest.terms,
        )
    record_submission(conn, **manifest.record(), status=report.verdict, rows=rows, report=report)
    return report


FEED_ASSETS: dict[str, FeedAssets] = {feed: _feed_assets(feed) for feed in FEEDS}


def _serving_asset(product: str) -> dg.AssetsDefinition:
    feeds = PRODUCT_FEEDS[product]

    @dg.asset(
        key=dg.AssetKey(["serving", product]),
        deps=[FEED_ASSETS[f].curated for f in feeds],
        description=f"A new immutable {product} snapshot under <data_dir>/serving/{product}/, made CURRENT.",
        group_name="serving",
        kinds=_KINDS,
        pool=POOL,
    )
    def serving(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult[None]:
        now = datetime.now(UTC)
        with warehouse.connect() as conn:
            if product == "catalog":  # prices sent ahead start, and ended ones end, in the history too
                roll_price_history(conn, at=now)
            snapshot = publish_snapshot(
                conn, data_dir=warehouse.data_path, product=product, keep=warehouse.snapshot_keep, now=now
            )
            published = mark_published(conn, feeds=feeds)
        for sid in published:
            write_status(warehouse.data_path, sid, "published", keep_report=True)
        context.log.info(f"{snapshot.snapshot_id} is current; published {len(published)} submission(s)")
        return dg.MaterializeResult(
            metadata={
                "snapshot_id": snapshot.snapshot_id,
                "path": dg.MetadataValue.path(str(snapshot.path)),
                "tables": dg.MetadataValue.json(snapshot.tables),
                "search_index_reused": snapshot.search_reused,
                "published_submissions": dg.MetadataValue.json(published),
            }
        )

    return serving


SERVING_ASSETS: dict[str, dg.AssetsDefinition] = {product: _serving_asset(product) for product in PRODUCT_FEEDS}


def _freshness_check(feed: str, product: str, noun: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=SERVING_ASSETS[product],
        name=f"{feed}_sources_fresh",
        description=f"Every {noun} has had a submission accepted within its expected cadence (FeedCadence).",
        pool=POOL,
    )
    def fresh(warehouse: WarehouseResource, cadence: FeedCadence) -> dg.AssetCheckResult:
        now = datetime.now(UTC)
        with warehouse.connect() as conn:
            last = last_received(conn, feed=feed)
        late = []
        # a source whose every submission was rejected (or failed) is late once its first is
        for source, (accepted, first) in sorted(last.items()):
            expected = cadence.expected(source)
            since = accepted or first
            if now - since > expected:
                late.append(
                    {
                        "source": source,
                        "last_accepted_received_at": accepted.astimezone(UTC).isoformat() if accepted else None,
                        "expected_every_hours": expected.total_seconds() / 3600,
                        "hours_since": round((now - since).total_seconds() / 3600, 1),
                    }
                )
        return dg.AssetCheckResult(
            passed=not late,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(late)} of {len(last)} {noun}s late" if late else f"all {len(last)} {noun}s on time",
            metadata={
                "sources": dg.MetadataValue.int(len(last)),
                "late": dg.MetadataValue.int(len(late)),
                "late_sources": dg.MetadataValue.json(late),
                "checked_at": now.isoformat(),
            },
        )

    return fresh


#: Late suppliers and manufacturers (cost data comes from operators, on no cadence).
FRESHNESS_CHECKS: list[dg.AssetChecksDefinition] = [
    _freshness_check("supplier_catalog", "catalog", "supplier"),
    _freshness_check("manufacturer_feed", "catalog", "manufacturer"),
]


def all_assets() -> list[dg.AssetsDefinition]:
    return [a for feed in FEED_ASSETS.values() for a in feed.assets] + list(SERVING_ASSETS.values())
