"""Every mapped class, imported in one place so Alembic and the tests see the whole schema."""

from service.accounts.models import Builder, User, UserKey, WebSession
from service.api_keys.models import ApiKey
from service.budgets.models import Budget, BudgetLine
from service.change_orders.models import ChangeOrder
from service.deals.models import Deal, DealPlan
from service.documents.models import Document
from service.events.models import Event
from service.feeds.models import FeedSubmission
from service.http.models import IdempotencyRecord
from service.invoices.models import Invoice, InvoiceLine
from service.oauth.models import (
    AppReview,
    AuthorizationCode,
    OAuthApplication,
    OAuthAuthorization,
    OAuthGrant,
    OAuthToken,
)
from service.orgs.models import Organisation, OrgApiKey
from service.projects.models import Project
from service.schedules.models import Schedule, ScheduleTask
from service.vendors.models import Vendor
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
    "AppReview",
    "AuthorizationCode",
    "Budget",
    "BudgetLine",
    "Builder",
    "ChangeOrder",
    "Deal",
    "DealPlan",
    "Document",
    "Event",
    "FeedSubmission",
    "IdempotencyRecord",
    "Invoice",
    "InvoiceLine",
    "OAuthApplication",
    "OAuthAuthorization",
    "OAuthGrant",
    "OAuthToken",
    "OrgApiKey",
    "Organisation",
    "Project",
    "Schedule",
    "ScheduleTask",
    "User",
    "UserKey",
    "Vendor",
    "WebSession",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
