"""The scopes a credential can carry: ``read:<resource>`` and ``write:<resource>``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["APP_SCOPES", "BUILDER_ONLY", "RESOURCES", "SCOPES", "grants", "invalid_scopes", "normalise"]

RESOURCES = (
    "api_keys",
    "projects",
    "budgets",
    "schedules",
    "invoices",
    "change_orders",
    "vendors",
    "documents",
    "events",
    "webhooks",
    "catalog",
    "oauth",
    "marketplace",
)
SCOPES = frozenset(f"{action}:{resource}" for action in ("read", "write") for resource in RESOURCES)
#: what only the builder's own keys may hold: an app never manages keys or other apps' access
BUILDER_ONLY = frozenset({"api_keys", "oauth"})
#: the scopes an OAuth app may ask a builder for
APP_SCOPES = frozenset(s for s in SCOPES if s.partition(":")[2] not in BUILDER_ONLY)


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether ``held`` covers ``needed``; ``write:x`` implies ``read:x``."""
    held = held if isinstance(held, frozenset | set) else set(held)
    if needed in held:
        return True
    action, _, resource = needed.partition(":")
    return action == "read" and f"write:{resource}" in held


def invalid_scopes(scopes: Iterable[str]) -> list[str]:
    return sorted(s for s in scopes if s not in SCOPES)


def normalise(scopes: Iterable[str]) -> list[str]:
    return sorted(set(scopes))
