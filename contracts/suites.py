"""Great Expectations 1.x suites of the feeds, built in code from :mod:`contracts.rules`.

Each expectation carries ``meta={"rule": name, "blocking": bool}`` so that a result names its rule.
Import this module only where validation runs: importing Great Expectations takes seconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

from contracts.rules import Rule, rules_for

with warnings.catch_warnings():
    # GX 1.x imports the stdlib's deprecated sre_constants / sre_parse modules; the warning is
    # GX's to fix and would otherwise fail every importer that runs with warnings as errors.
    warnings.filterwarnings(
        "ignore", message=r"module 'sre_(constants|parse)' is deprecated", category=DeprecationWarning
    )
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.row_conditions import Column

__all__ = ["build_suite", "gx_context", "rule_of"]


def _expectation(rule: Rule) -> Any:
    assert rule.expectation is not None
    cls = getattr(gxe, rule.expectation.type)
    kwargs = dict(rule.expectation.kwargs)
    if rule.expectation.when_true is not None:
        kwargs["row_condition"] = Column(name=rule.expectation.when_true) == True  # noqa: E712 - a GX condition, not a test
    return cls(**kwargs, meta={"rule": rule.name, "blocking": rule.blocking})


def build_suite(feed: str, name: str | None = None, rules: Sequence[Rule] | None = None) -> Any:
    """A new ``gx.ExpectationSuite`` (named after the feed unless ``name``) of the feed's GX rules,
    or of ``rules`` only."""
    gx_context()  # GX builds suites only while a context is active
    suite = gx.ExpectationSuite(name=name or feed)
    for rule in rules_for(feed, "gx") if rules is None else rules:
        suite.add_expectation(_expectation(rule))
    return suite


def rule_of(expectation_meta: dict[str, Any] | None) -> str:
    """The rule name an expectation result belongs to."""
    if not expectation_meta or "rule" not in expectation_meta:
        raise ValueError("expectation has no rule name in its meta")
    return str(expectation_meta["rule"])


@cache
def gx_context() -> Any:
    """One ephemeral GX context per process: no project directory, no analytics, no progress bars,
    and no frame fingerprints."""
    # The pandas engine fingerprints every frame under HASH_THRESHOLD bytes (a hash of every value,
    # then MD5) for a batch marker that nothing here reads: at 5 M rows, a third of the GX time.
    pandas_execution_engine.HASH_THRESHOLD = 0
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(),
    )
    return gx.get_context(mode="ephemeral", project_config=config)
