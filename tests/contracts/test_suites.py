"""Great Expectations suites are built in code, one expectation per GX rule, named by ``meta``."""

from __future__ import annotations

import pandas as pd

from contracts.rules import rules_for
from contracts.schemas import FEEDS
from contracts.suites import build_suite, gx_context, rule_of


def test_each_feed_suite_names_its_rules() -> None:
    for feed in FEEDS:
        suite = build_suite(feed)
        names = [rule_of(e.meta) for e in suite.expectations]
        assert names == [r.name for r in rules_for(feed, "gx")]


def test_a_suite_validates_a_frame_and_reports_by_rule() -> None:
    context = gx_context()
    source = context.data_sources.add_pandas("contracts_test")
    batch_definition = source.add_dataframe_asset(name="location").add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(build_suite("location_index", name="contracts_test_location_index"))
    frame = pd.DataFrame(
        {
            "source_line": [2, 3],
            "zip_area": ["802", "80"],
            "division": ["06", "06"],
            "material_index_text": ["101.5", "-3"],
            "material_index": [101.5, -3.0],
            "installation_index_text": ["88", "90"],
            "installation_index": [88.0, 90.0],
        }
    )
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format={"result_format": "SUMMARY", "unexpected_index_column_names": ["source_line"]}
    )
    failed = {rule_of(r.expectation_config.meta) for r in result.results if not r.success}
    assert failed == {"zip_area_format", "material_index_positive", "material_index_plausible"}
