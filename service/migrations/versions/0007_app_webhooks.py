"""webhook subscriptions made by an OAuth app belong to that app

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("app_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_subscriptions_app_id_oauth_applications"),
            "oauth_applications",
            ["app_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_webhook_subscriptions_app_id", ["app_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_subscriptions_app_id")
        batch_op.drop_constraint(batch_op.f("fk_webhook_subscriptions_app_id_oauth_applications"), type_="foreignkey")
        batch_op.drop_column("app_id")
