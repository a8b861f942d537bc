"""Every mapped class, imported in one place so Alembic and the tests see the whole schema."""

from service.accounts.models import Builder, User
from service.api_keys.models import ApiKey
from service.events.models import Event
from service.http.models import IdempotencyRecord
from service.projects.models import Project

__all__ = ["ApiKey", "Builder", "Event", "IdempotencyRecord", "Project", "User"]
