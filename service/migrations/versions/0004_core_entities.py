"""core entities: budgets, schedules, invoices, change orders, vendors, documents

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trade", sa.String(length=50), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column(
            "address", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("tax_id", sa.String(length=50), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'inactive')", name=op.f("ck_vendors_status")),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_vendors_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
    )
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.create_index("ix_vendors_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False)

    op.create_table(
        "budgets",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("original_total", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("approved_changes", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_budgets_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_budgets_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
    )
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.create_index("ix_budgets_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_budgets_project_id", ["project_id"], unique=False)

    op.create_table(
        "documents",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('drawing', 'specification', 'contract', 'permit', 'submittal', 'photo', 'invoice', 'report', 'other')",
            name=op.f("ck_documents_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_documents_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_documents_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_documents_project_id", ["project_id"], unique=False)

    op.create_table(
        "invoices",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("vendor_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("total", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'paid')", name=op.f("ck_invoices_status")),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_invoices_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_invoices_project_id_projects")),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], name=op.f("fk_invoices_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_invoices_project_id", ["project_id"], unique=False)
        batch_op.create_index("ix_invoices_vendor_id", ["vendor_id"], unique=False)

    op.create_table(
        "schedules",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_schedules_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_schedules_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("ix_schedules_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_schedules_project_id", ["project_id"], unique=False)

    op.create_table(
        "budget_line_items",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cost_code", sa.String(length=24), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("amount", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budgets.id"], name=op.f("fk_budget_line_items_budget_id_budgets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_budget_line_items_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line_items")),
    )
    with op.batch_alter_table("budget_line_items", schema=None) as batch_op:
        batch_op.create_index("ix_budget_line_items_budget_id_position", ["budget_id", "position"], unique=False)

    op.create_table(
        "change_orders",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("budget_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=True),
        sa.Column("amount", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost_code", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'rejected')", name=op.f("ck_change_orders_status")
        ),
        sa.ForeignKeyConstraint(["budget_id"], ["budgets.id"], name=op.f("fk_change_orders_budget_id_budgets")),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_change_orders_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], name=op.f("fk_change_orders_project_id_projects")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_orders")),
    )
    with op.batch_alter_table("change_orders", schema=None) as batch_op:
        batch_op.create_index("ix_change_orders_budget_id", ["budget_id"], unique=False)
        batch_op.create_index(
            "ix_change_orders_builder_id_created_at", ["builder_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_change_orders_project_id", ["project_id"], unique=False)

    op.create_table(
        "invoice_line_items",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("unit_price", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("amount", service.db.base.DecimalAmount(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_invoice_line_items_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_line_items_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_line_items")),
    )
    with op.batch_alter_table("invoice_line_items", schema=None) as batch_op:
        batch_op.create_index("ix_invoice_line_items_invoice_id_position", ["invoice_id", "position"], unique=False)

    op.create_table(
        "schedule_tasks",
        sa.Column("builder_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("percent_complete", sa.Integer(), nullable=False),
        sa.Column("depends_on", service.db.base.StringList(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'blocked')", name=op.f("ck_schedule_tasks_status")
        ),
        sa.CheckConstraint("percent_complete BETWEEN 0 AND 100", name=op.f("ck_schedule_tasks_percent_complete")),
        sa.ForeignKeyConstraint(
            ["builder_id"], ["builders.id"], name=op.f("fk_schedule_tasks_builder_id_builders"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_schedule_tasks_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_tasks")),
    )
    with op.batch_alter_table("schedule_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_schedule_tasks_schedule_id_position", ["schedule_id", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("schedule_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_tasks_schedule_id_position")

    op.drop_table("schedule_tasks")
    with op.batch_alter_table("invoice_line_items", schema=None) as batch_op:
        batch_op.drop_index("ix_invoice_line_items_invoice_id_position")

    op.drop_table("invoice_line_items")
    with op.batch_alter_table("change_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_change_orders_project_id")
        batch_op.drop_index("ix_change_orders_builder_id_created_at")
        batch_op.drop_index("ix_change_orders_budget_id")

    op.drop_table("change_orders")
    with op.batch_alter_table("budget_line_items", schema=None) as batch_op:
        batch_op.drop_index("ix_budget_line_items_budget_id_position")

    op.drop_table("budget_line_items")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_schedules_project_id")
        batch_op.drop_index("ix_schedules_builder_id_created_at")

    op.drop_table("schedules")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_vendor_id")
        batch_op.drop_index("ix_invoices_project_id")
        batch_op.drop_index("ix_invoices_builder_id_created_at")

    op.drop_table("invoices")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_project_id")
        batch_op.drop_index("ix_documents_builder_id_created_at")

    op.drop_table("documents")
    with op.batch_alter_table("budgets", schema=None) as batch_op:
        batch_op.drop_index("ix_budgets_project_id")
        batch_op.drop_index("ix_budgets_builder_id_created_at")

    op.drop_table("budgets")
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_index("ix_vendors_builder_id_created_at")

    op.drop_table("vendors")
