"""sales pipeline: signals, opportunities with their stage history, exchange rates, saved import mappings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _who_and_when(prefix: str) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_at", UTCDateTime(), nullable=False),
        sa.Column(f"{prefix}_by", AutoString(length=254), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "exchangerate",
        sa.Column("currency", AutoString(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("per_eur", sa.BigInteger(), nullable=False),  # millionths
        sa.Column("source", AutoString(length=20), nullable=False),
        *_who_and_when("updated"),
        sa.PrimaryKeyConstraint("currency", "day"),
    )
    op.create_table(
        "importmapping",
        sa.Column("name", AutoString(length=100), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        *_who_and_when("updated"),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("source", AutoString(length=20), nullable=False),
        sa.Column("crm_id", AutoString(length=100), nullable=True),
        sa.Column("account", AutoString(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),  # hundredths
        sa.Column("currency", AutoString(length=3), nullable=False),
        sa.Column("stage", AutoString(length=40), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("owner", AutoString(length=254), nullable=False),
        sa.Column("segment", AutoString(length=20), nullable=True),
        sa.Column("lost_reason", AutoString(), nullable=False),
        *_who_and_when("updated"),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("crm_id", name="uq_opportunity_crm_id"),
    )
    for column in ("closed_on", "country_code", "created_on", "stage"):
        op.create_index(f"ix_opportunity_{column}", "opportunity", [column])
    op.create_table(
        "signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("kind", AutoString(length=30), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("account", AutoString(length=200), nullable=False),
        sa.Column("content_title", AutoString(length=200), nullable=False),
        sa.Column("requested_by", AutoString(length=20), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        *_who_and_when("logged"),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signal_country_code", "signal", ["country_code"])
    op.create_index("ix_signal_occurred_on", "signal", ["occurred_on"])
    op.create_table(
        "stagechange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("stage", AutoString(length=40), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        *_who_and_when("recorded"),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stagechange_opportunity_id", "stagechange", ["opportunity_id"])


def downgrade() -> None:
    for table in ("stagechange", "signal", "opportunity", "importmapping", "exchangerate"):
        op.drop_table(table)
