"""users and roles, the audit trail, version columns for optimistic locking; stage histories append-only

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.migrations.append_only import allow_update_and_delete, forbid_update_and_delete
from rollout.platform.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VERSIONED = ("country", "opportunity", "importmapping", "campaign", "contentitem", "translation", "hire")
NEWLY_APPEND_ONLY = ("stagechange", "hirestagechange", "audit_entry")


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("role", AutoString(length=20), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", AutoString(length=254), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", AutoString(length=254), nullable=False),
        sa.Column("source", AutoString(length=20), nullable=False),
        sa.Column("action", AutoString(length=10), nullable=False),
        sa.Column("table_name", AutoString(length=40), nullable=False),
        sa.Column("record_key", AutoString(length=200), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index("ix_audit_entry_country_code", "audit_entry", ["country_code"])
    op.create_index("ix_audit_entry_record", "audit_entry", ["table_name", "record_key"])
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    for table in NEWLY_APPEND_ONLY:
        forbid_update_and_delete(table)


def downgrade() -> None:
    for table in NEWLY_APPEND_ONLY:
        allow_update_and_delete(table)
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
    op.drop_table("audit_entry")
    op.drop_table("app_user")
