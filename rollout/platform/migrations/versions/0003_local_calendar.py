"""local calendar: campaigns, local events, weekend override per country

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("country") as batch:
        batch.add_column(sa.Column("weekend_override", sa.JSON(), nullable=True))
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("channel", AutoString(length=20), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("time_zone", AutoString(length=60), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("locale", AutoString(length=20), nullable=False),
        sa.Column("subdivision", AutoString(length=10), nullable=True),
        sa.Column("owner", AutoString(length=254), nullable=False),
        sa.Column("occasion", AutoString(length=200), nullable=False),
        sa.Column("linked_content", AutoString(length=300), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_campaign_country_code", "campaign", ["country_code"])
    op.create_index("ix_campaign_starts_at", "campaign", ["starts_at"])
    op.create_table(
        "localevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("kind", AutoString(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_localevent_country_code", "localevent", ["country_code"])


def downgrade() -> None:
    op.drop_table("localevent")
    op.drop_table("campaign")
    with op.batch_alter_table("country") as batch:
        batch.drop_column("weekend_override")
