from __future__ import annotations

import uuid

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from service.http.pagination import ListQuery
from service.projects.models import Project

__all__ = ["LIST_COLUMNS", "ONE_PROJECT", "PROJECTS", "PROJECT_LIST", "ProjectRepository"]

PROJECTS = Project.__table__.c
# In ProjectOut's field order: rows render by position.
LIST_COLUMNS = (
    PROJECTS.id,
    PROJECTS.name,
    PROJECTS.code,
    PROJECTS.status,
    PROJECTS.address,
    PROJECTS.start_date,
    PROJECTS.end_date,
    PROJECTS.contract_value,
    PROJECTS.currency,
    PROJECTS.version,
    PROJECTS.created_at,
    PROJECTS.updated_at,
)

PROJECT_LIST = ListQuery(
    LIST_COLUMNS,
    tenant=PROJECTS.builder_id,
    created_at=PROJECTS.created_at,
    ident=PROJECTS.id,
    filters={
        "status": PROJECTS.status == bindparam("status"),
        "code": PROJECTS.code == bindparam("code"),
        "created_after": PROJECTS.created_at > bindparam("created_after"),
        "created_before": PROJECTS.created_at < bindparam("created_before"),
        "updated_after": PROJECTS.updated_at > bindparam("updated_after"),
    },
)
ONE_PROJECT = select(*LIST_COLUMNS).where(
    PROJECTS.builder_id == bindparam("builder_id"), PROJECTS.id == bindparam("project_id")
)


class ProjectRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, project: Project) -> Project:
        self.session.add(project)
        self.session.flush()
        return project

    def get(self, builder_id: uuid.UUID, project_id: uuid.UUID) -> Project | None:
        return self.session.scalars(
            select(Project).where(Project.builder_id == builder_id, Project.id == project_id)
        ).first()

    def delete(self, project: Project) -> None:
        self.session.delete(project)
        self.session.flush()
