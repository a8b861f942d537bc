"""Creating, changing and deleting projects; each change writes its event in the same
transaction (the outbox). Services flush; the caller owns the commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import msgspec
from msgspec import UNSET
from sqlalchemy.orm import Session

from service.errors import FieldError, InvalidInput, NotFound
from service.events.services import record
from service.money import amount_error, canonical_amount
from service.projects.models import Project
from service.projects.repositories import LIST_COLUMNS, ProjectRepository
from service.projects.schemas import Address, ProjectCreate, ProjectOut, ProjectUpdate
from service.records import remove

__all__ = ["create_project", "delete_project", "render", "render_project", "update_project"]


def _check(project: Project) -> None:
    errors: list[FieldError] = []
    if not project.name:
        errors.append(FieldError("name", "must contain more than spaces"))
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors.append(FieldError("end_date", "must not be before start_date"))
    if (project.contract_value is None) != (project.currency is None):
        errors.append(FieldError("currency", "contract_value and currency go together"))
    if money := amount_error("contract_value", project.contract_value):
        errors.append(money)
    if errors:
        raise InvalidInput("; ".join(f"{e.field}: {e.detail}" for e in errors), errors=errors)


def _address(value: Address | None) -> dict[str, Any] | None:
    return None if value is None else msgspec.to_builtins(value)


def create_project(session: Session, builder_id: uuid.UUID, data: ProjectCreate) -> Project:
    now = datetime.now(UTC)
    project = Project(
        builder_id=builder_id,
        name=data.name.strip(),
        code=data.code,
        status=data.status,
        address=_address(data.address),
        start_date=data.start_date,
        end_date=data.end_date,
        contract_value=data.contract_value,
        currency=data.currency,
        created_at=now,
        updated_at=now,
    )
    _check(project)
    ProjectRepository(session).add(project)
    _emit(session, project, "created")
    return project


def get_project(session: Session, builder_id: uuid.UUID, project_id: uuid.UUID) -> Project:
    project = ProjectRepository(session).get(builder_id, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def update_project(session: Session, builder_id: uuid.UUID, project_id: uuid.UUID, data: ProjectUpdate) -> Project:
    project = get_project(session, builder_id, project_id)
    changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not UNSET}
    if not changes:
        return project
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if "address" in changes:
        changes["address"] = _address(changes["address"])
    for field, value in changes.items():
        setattr(project, field, value)
    if not session.is_modified(project):
        return project  # nothing really changed: no new version, no event
    project.updated_at = datetime.now(UTC)
    _check(project)
    session.flush()  # bumps version (optimistic concurrency)
    _emit(session, project, "updated")
    return project


def delete_project(session: Session, builder_id: uuid.UUID, project_id: uuid.UUID) -> None:
    project = get_project(session, builder_id, project_id)
    last = render_project(project)
    # The core records of a project restrict its deletion: a 409 until they are gone.
    remove(session, project, "project", "budgets, schedules, invoices, change orders or documents")
    _emit(session, project, "deleted", sequence=project.version + 1, data=last)


def _emit(
    session: Session, project: Project, action: str, *, sequence: int | None = None, data: ProjectOut | None = None
) -> None:
    """The outbox: the event goes into the same transaction as the change it describes."""
    record(
        session,
        builder_id=project.builder_id,
        type=f"project.{action}",
        entity_id=project.id,
        sequence=project.version if sequence is None else sequence,
        data=render_project(project) if data is None else data,
    )


def render(row: Sequence[Any]) -> ProjectOut:
    """A row of ``LIST_COLUMNS`` as the API shows it (by position; same order as ProjectOut)."""
    (pid, name, code, status, address, start, end, value, currency, version, created, updated) = row
    return ProjectOut(
        pid,
        name,
        code,
        status,
        None if address is None else msgspec.convert(address, Address),
        start,
        end,
        None if value is None else canonical_amount(Decimal(value)),
        currency,
        version,
        created,
        updated,
    )


def render_project(project: Project) -> ProjectOut:
    return render([getattr(project, column.key) for column in LIST_COLUMNS])
