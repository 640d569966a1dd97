"""Campaign tasks: the steps of a campaign planned from a playbook, due on its market's working days

Revision ID: 0013_campaign_tasks
Revises: 0012_crm_close_date
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0013_campaign_tasks"
down_revision = "0012_crm_close_date"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigntask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("playbook", AutoString(length=60), nullable=False),
        sa.Column("step_key", AutoString(length=60), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("role", AutoString(length=60), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee", AutoString(length=254), nullable=False),
        sa.Column("status", AutoString(length=10), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("moved_because", AutoString(length=1000), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", AutoString(length=254), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"]),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_campaigntask_campaign_id", "campaigntask", ["campaign_id"])
    op.create_index("ix_campaigntask_country_due", "campaigntask", ["country_code", "due_on"])


def downgrade() -> None:
    op.drop_table("campaigntask")
