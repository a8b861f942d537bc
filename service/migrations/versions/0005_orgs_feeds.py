"""organisations and their keys, feed submissions, supplier deals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("terms", service.db.base.StringList(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("kind IN ('supplier', 'manufacturer')", name=op.f("ck_organisations_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )

    op.create_table(
        "org_api_keys",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=8), nullable=False),
        sa.Column("scopes", service.db.base.StringList(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_org_api_keys_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_org_api_keys_key_hash")),
    )
    with op.batch_alter_table("org_api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_org_api_keys_org_id_created_at", ["org_id", "created_at", "id"], unique=False)

    op.create_table(
        "feed_submissions",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("feed", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=63), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("terms", service.db.base.StringList(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("content_encoding", sa.String(length=20), nullable=True),
        sa.Column("body_name", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column(
            "report", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("feed IN ('supplier_catalog', 'manufacturer_feed')", name=op.f("ck_feed_submissions_feed")),
        sa.CheckConstraint("mode IN ('full', 'delta')", name=op.f("ck_feed_submissions_mode")),
        sa.CheckConstraint(
            "status IN ('received', 'validating', 'accepted', 'rejected', 'published')",
            name=op.f("ck_feed_submissions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_feed_submissions_org_id_organisations"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_submissions")),
    )
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.create_index("ix_feed_submissions_org_id_created_at", ["org_id", "created_at", "id"], unique=False)

    op.create_table(
        "deals",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("supplier", sa.String(length=63), nullable=False),
        sa.Column("product_id", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=300), nullable=True),
        sa.Column("discount_percent", service.db.base.DecimalAmount(), nullable=True),
        sa.Column("discount_amount", service.db.base.DecimalAmount(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("(discount_amount IS NULL) = (currency IS NULL)", name=op.f("ck_deals_amount_has_currency")),
        sa.CheckConstraint(
            "(discount_percent IS NULL) <> (discount_amount IS NULL)", name=op.f("ck_deals_one_discount")
        ),
        sa.CheckConstraint("product_id IS NULL OR category IS NULL", name=op.f("ck_deals_product_or_category")),
        sa.CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name=op.f("ck_deals_valid_window")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index("ix_deals_created_at", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deals_supplier"), ["supplier"], unique=False)

    op.create_table(
        "deal_plans",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("plan", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "plan IN ('starter', 'professional', 'business', 'enterprise')", name=op.f("ck_deal_plans_plan")
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_deal_plans_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_plans")),
    )
    with op.batch_alter_table("deal_plans", schema=None) as batch_op:
        batch_op.create_index("ix_deal_plans_plan_deal_id", ["plan", "deal_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("deal_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_deal_plans_plan_deal_id")
    op.drop_table("deal_plans")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_supplier"))
        batch_op.drop_index("ix_deals_created_at")
    op.drop_table("deals")
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_submissions_org_id_created_at")
    op.drop_table("feed_submissions")
    with op.batch_alter_table("org_api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_org_api_keys_org_id_created_at")
    op.drop_table("org_api_keys")
    op.drop_table("organisations")
