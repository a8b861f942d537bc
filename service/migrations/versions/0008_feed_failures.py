"""feed submissions can be failed: processing stopped on an error before they were accepted

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "status IN ('received', 'validating', 'accepted', 'rejected', 'published')"
_AFTER = "status IN ('received', 'validating', 'accepted', 'rejected', 'published', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failure", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"))
        )
        batch_op.drop_constraint(batch_op.f("ck_feed_submissions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_feed_submissions_status"), _AFTER)


def downgrade() -> None:
    # a failed submission goes back to validating, where it stood before this revision
    op.execute("UPDATE feed_submissions SET status = 'validating' WHERE status = 'failed'")
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_feed_submissions_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_feed_submissions_status"), _BEFORE)
        batch_op.drop_column("failure")
