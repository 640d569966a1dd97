"""initial schema: countries, decisions, check marks; decisions and check marks append-only

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.migrations.append_only import allow_update_and_delete, forbid_update_and_delete
from rollout.platform.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("decision", "checkmark")


def upgrade() -> None:
    op.create_table(
        "country",
        sa.Column("code", AutoString(length=2), nullable=False),
        sa.Column("display_name", AutoString(length=100), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("currency", AutoString(length=3), nullable=False),
        sa.Column("time_zones", sa.JSON(), nullable=False),
        sa.Column("first_week_day", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(length=254), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=True),
        sa.Column("updated_by", AutoString(length=254), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "checkmark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("phase", AutoString(length=40), nullable=False),
        sa.Column("criterion_key", AutoString(length=60), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("marked_at", UTCDateTime(), nullable=False),
        sa.Column("marked_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checkmark_country_code", "checkmark", ["country_code"])
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("phase", AutoString(length=40), nullable=False),
        sa.Column("outcome", AutoString(length=10), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", AutoString(length=254), nullable=False),
        sa.Column("rationale", AutoString(), nullable=False),
        sa.Column("extension_months", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("country_code", "sequence", name="uq_decision_sequence"),
    )
    op.create_index("ix_decision_country_code", "decision", ["country_code"])
    op.create_index("ix_decision_decided_on", "decision", ["decided_on"])
    for table in APPEND_ONLY:
        forbid_update_and_delete(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        allow_update_and_delete(table)
    op.drop_table("decision")
    op.drop_table("checkmark")
    op.drop_table("country")
