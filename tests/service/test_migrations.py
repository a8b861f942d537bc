"""The schema is migration-first: Alembic builds it, and the models agree with what it built."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from service.db import models  # noqa: F401  (registers every table)
from service.db.base import UTCDateTime, metadata
from service.db.database import Database


def test_models_match_the_migrated_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    changes = [c for group in diff for c in (group if isinstance(group, list) else [group])]
    # On SQLite, UTCDateTime reads and writes text in a DATETIME column by design (see its docstring).
    significant = [
        c
        for c in changes
        if not (conn.dialect.name == "sqlite" and c[0] == "modify_type" and isinstance(c[-1], UTCDateTime))
    ]
    assert significant == []


def test_constraint_names_follow_the_convention(db: Database) -> None:
    inspector = inspect(db.engine)
    assert inspector.get_pk_constraint("api_keys")["name"] == "pk_api_keys"
    fks = {fk["name"] for fk in inspector.get_foreign_keys("api_keys")}
    assert fks == {"fk_api_keys_builder_id_builders"}
    uniques = {u["name"] for u in inspector.get_unique_constraints("builders")}
    assert "uq_builders_slug" in uniques
