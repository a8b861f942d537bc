"""Scopes in plain words, for the consent screen."""

from __future__ import annotations

__all__ = ["describe"]

_NOUNS = {
    "api_keys": "API keys",
    "projects": "projects",
    "budgets": "budgets",
    "schedules": "schedules",
    "invoices": "invoices",
    "change_orders": "change orders",
    "vendors": "vendors",
    "documents": "documents",
    "events": "the activity feed of changes",
    "webhooks": "webhook subscriptions",
    "catalog": "the product catalog and prices",
    "oauth": "the list of apps you have authorized",
    "marketplace": "marketplace listings and installs",
}


def describe(scope: str) -> str:
    action, _, resource = scope.partition(":")
    noun = _NOUNS.get(resource, resource.replace("_", " "))
    if action == "write":
        return (
            f"See, create, change and delete your {noun}" if resource not in ("events", "catalog") else f"Change {noun}"
        )
    return f"See your {noun}" if resource not in ("events", "catalog") else f"See {noun}"
