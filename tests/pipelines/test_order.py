"""A submission received before one of its source that was applied already is rejected by the
``newest_of_source`` rule, at validation or, when the newer one was applied in between, just
before ``curated`` would apply it: an operator re-running an old submission, or two runs whose
steps interleave, never put older data back over newer data or end a price before it starts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dagster as dg

from pipelines.run import materialize, materialize_submission
from pipelines.submissions import read_status
from tests.pipelines.conftest import T0, land, query

NEWER_AT = T0 + timedelta(hours=1)
VALIDATED = dg.AssetKey(["supplier_catalog", "validated"])


def _offers_from(data_dir: Path) -> list[tuple[str]]:
    return query(data_dir, "SELECT DISTINCT submission_id FROM catalog_offer ORDER BY 1")


def _backwards_periods(data_dir: Path) -> int:
    ((count,),) = query(data_dir, "SELECT count(*) FROM price_history WHERE effective_to < effective_from")
    return int(count)


def _newest_rule(data_dir: Path, submission_id: str) -> dict[str, object]:
    status = read_status(data_dir, submission_id)
    assert status is not None and status["status"] == "rejected", status
    (rule,) = (r for r in status["report"]["rules"] if r["rule"] == "newest_of_source")
    return rule


def test_an_older_submission_run_after_a_newer_one_is_rejected(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "older", received_at=T0)
    land(data_dir, "newer", received_at=NEWER_AT)
    assert materialize_submission(data_dir, "newer", instance=instance).published

    late = materialize_submission(data_dir, "older", instance=instance)
    assert not late.success and late.status == "rejected"  # not failed: a verdict, with its reason
    rule = _newest_rule(data_dir, "older")
    assert rule["status"] == "fail" and "newer" in str(rule["message"])
    assert _offers_from(data_dir) == [("newer",)]
    assert _backwards_periods(data_dir) == 0
    # the other rules passed: the report says why this one alone was refused
    assert [r["rule"] for r in (read_status(data_dir, "older") or {})["report"]["rules"] if r["status"] == "fail"] == [
        "newest_of_source"
    ]


def test_a_newer_submission_applied_between_validation_and_curated_stops_the_older(
    data_dir: Path, instance: dg.DagsterInstance
) -> None:
    land(data_dir, "older", received_at=T0)
    land(data_dir, "newer", received_at=NEWER_AT)
    for step in ("landed", "staged", "validated"):
        assert materialize(data_dir, f'key:"supplier_catalog/{step}"', partition_key="older", instance=instance).success
    assert (read_status(data_dir, "older") or {})["report"]["accepted"]
    assert materialize_submission(data_dir, "newer", instance=instance).published

    curated = materialize(
        data_dir, 'key:"supplier_catalog/curated"', partition_key="older", instance=instance, raise_on_error=False
    )
    assert not curated.success
    assert _newest_rule(data_dir, "older")["status"] == "fail"
    # validated's check passed when it ran; the Dagster UI shows the rule failing as of curated
    logged = instance.all_logs(curated.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    (evaluation,) = (r.get_dagster_event().event_specific_data for r in logged)
    assert isinstance(evaluation, dg.AssetCheckEvaluation)
    assert (evaluation.asset_key, evaluation.check_name) == (VALIDATED, "newest_of_source")
    assert not evaluation.passed and evaluation.partition == "older"
    assert "newer" in str(evaluation.description)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(VALIDATED, "newest_of_source")]
    )[dg.AssetCheckKey(VALIDATED, "newest_of_source")]
    assert latest.run_id == curated.run_id and latest.status.value == "FAILED"
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = 'older'") == [("rejected",)]
    assert _offers_from(data_dir) == [("newer",)]
    assert _backwards_periods(data_dir) == 0


def test_submissions_applied_in_the_order_received_all_pass(data_dir: Path, instance: dg.DagsterInstance) -> None:
    land(data_dir, "first", received_at=T0)
    land(data_dir, "second", received_at=NEWER_AT)
    assert materialize_submission(data_dir, "first", instance=instance).published
    assert materialize_submission(data_dir, "second", instance=instance).published
    # running the newest again re-applies it: nothing newer than itself was applied
    assert materialize_submission(data_dir, "second", instance=instance).published
    assert _offers_from(data_dir) == [("second",)]


def test_a_published_submission_run_again_after_a_newer_one_keeps_its_status(
    data_dir: Path, instance: dg.DagsterInstance
) -> None:
    land(data_dir, "first", received_at=T0)
    land(data_dir, "second", received_at=NEWER_AT)
    assert materialize_submission(data_dir, "first", instance=instance).published
    assert materialize_submission(data_dir, "second", instance=instance).published

    again = materialize_submission(data_dir, "first", instance=instance)
    assert not again.success  # refused before anything changed
    assert again.status == "published" and (read_status(data_dir, "first") or {})["report"]["accepted"]
    assert query(data_dir, "SELECT status FROM submission WHERE submission_id = 'first'") == [("published",)]
    assert _offers_from(data_dir) == [("second",)]
