"""the weekly digest: who wants it and in which language, and which weeks were sent to whom

Revision ID: 0011_digest
Revises: 0010_main_zone
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0011_digest"
down_revision = "0010_main_zone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("weekly_digest", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(
            sa.Column("digest_locale", AutoString(length=20), nullable=False, server_default="en")
        )
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("week", AutoString(length=8), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", "week", name="uq_digest_sent_week"),
    )


def downgrade() -> None:
    op.drop_table("digest_sent")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("digest_locale")
        batch.drop_column("weekly_digest")
