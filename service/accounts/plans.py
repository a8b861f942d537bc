"""Requests per minute per credential, by the builder's plan."""

from __future__ import annotations

from service.accounts.models import Plan

__all__ = ["ENTERPRISE_DEFAULT_RATE_LIMIT", "PLAN_RATE_LIMITS", "rate_limit_for"]

PLAN_RATE_LIMITS: dict[str, int] = {
    Plan.STARTER: 100,
    Plan.PROFESSIONAL: 500,
    Plan.BUSINESS: 2000,
}
# Enterprise limits are negotiated per key (``--rate-limit``); a key without one gets this.
ENTERPRISE_DEFAULT_RATE_LIMIT = 10_000


def rate_limit_for(plan: str, key_rate_limit: int | None) -> int:
    if plan == Plan.ENTERPRISE:
        return key_rate_limit or ENTERPRISE_DEFAULT_RATE_LIMIT
    return PLAN_RATE_LIMITS[plan]
