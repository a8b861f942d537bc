"""Every mapped class, imported in one place so Alembic and the tests see the whole schema."""

from service.accounts.models import Builder, User
from service.api_keys.models import ApiKey
from service.budgets.models import Budget, BudgetLine
from service.change_orders.models import ChangeOrder
from service.deals.models import Deal, DealPlan
from service.documents.models import Document
from service.events.models import Event
from service.feeds.models import FeedSubmission
from service.http.models import IdempotencyRecord
from service.invoices.models import Invoice, InvoiceLine
from service.orgs.models import Organisation, OrgApiKey
from service.projects.models import Project
from service.schedules.models import Schedule, ScheduleTask
from service.vendors.models import Vendor
from service.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "ApiKey",
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
    "OrgApiKey",
    "Organisation",
    "Project",
    "Schedule",
    "ScheduleTask",
    "User",
    "Vendor",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
