"""CRM imports: ids unique per source, stage and pipeline choices saved with a mapping, an import history

- A deal's CRM id is unique within its source (HubSpot and Salesforce ids may be equal), no longer across
  every source. Stored ids were unique across all sources, so they are unique per source too: nothing to
  move or merge.
- A saved mapping also keeps its layout, the file's stage labels mapped to Rollout stages (or skipped) and
  the pipelines taken.
- Every import of a market is kept (who, when, file and its hash, choices, counts, warnings) with what it
  did to each deal; both tables are append-only.

Revision ID: 0014_crm_imports
Revises: 0013_campaign_tasks
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.migrations.append_only import (
    allow_replace_and_truncate,
    allow_update_and_delete,
    forbid_replace_and_truncate,
    forbid_update_and_delete,
)
from rollout.platform.models import UTCDateTime

revision = "0014_crm_imports"
down_revision = "0013_campaign_tasks"
branch_labels = None
depends_on = None

HISTORY = ("dealimport", "dealimportchange")


def upgrade() -> None:
    with op.batch_alter_table("opportunity") as batch:
        batch.drop_constraint("uq_opportunity_crm_id", type_="unique")
        batch.create_unique_constraint("uq_opportunity_source_crm_id", ["source", "crm_id"])
    with op.batch_alter_table("importmapping") as batch:
        batch.add_column(sa.Column("format", AutoString(length=20), nullable=False, server_default="mapped"))
        batch.add_column(sa.Column("stages", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("pipelines", sa.JSON(), nullable=True))
    op.create_table(
        "dealimport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", AutoString(length=254), nullable=False),
        sa.Column("filename", AutoString(length=255), nullable=False),
        sa.Column("sha256", AutoString(length=64), nullable=False),
        sa.Column("format", AutoString(length=20), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dealimport_country_at", "dealimport", ["country_code", "imported_at"])
    op.create_table(
        "dealimportchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("crm_id", AutoString(length=100), nullable=False),
        sa.Column("deal_name", AutoString(length=200), nullable=False),
        sa.Column("action", AutoString(length=10), nullable=False),
        sa.Column("field", AutoString(length=40), nullable=False),
        sa.Column("old", AutoString(), nullable=False),
        sa.Column("new", AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["dealimport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_dealimportchange_import_id", "dealimportchange", ["import_id"])
    for table in HISTORY:
        forbid_update_and_delete(table)
        forbid_replace_and_truncate(table, (("id",),))


def downgrade() -> None:
    for table in HISTORY:
        allow_replace_and_truncate(table)
        allow_update_and_delete(table)
    op.drop_table("dealimportchange")
    op.drop_table("dealimport")
    with op.batch_alter_table("importmapping") as batch:
        batch.drop_column("pipelines")
        batch.drop_column("stages")
        batch.drop_column("format")
    with op.batch_alter_table("opportunity") as batch:
        batch.drop_constraint("uq_opportunity_source_crm_id", type_="unique")
        batch.create_unique_constraint("uq_opportunity_crm_id", ["crm_id"])
