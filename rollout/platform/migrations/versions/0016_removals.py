"""Removals: what was added by mistake can be corrected

Signals and local events are edited in place, so they carry a version (a stale save is refused) and who
changed them last. A candidate is removed by marking them removed: their stage history is append-only and
keeps pointing at them. Signals, local events and catalogue pieces are deleted outright, the audit entry
keeping every value.

Revision ID: 0016_removals
Revises: 0015_gate_reviews
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0016_removals"
down_revision = "0015_gate_reviews"
branch_labels = None
depends_on = None

EDITED_IN_PLACE = ("signal", "localevent")


def upgrade() -> None:
    for table in EDITED_IN_PLACE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", UTCDateTime(), nullable=True))
            batch.add_column(
                sa.Column("updated_by", AutoString(length=254), nullable=False, server_default="")
            )
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("hire") as batch:
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("removed_by", AutoString(length=254), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("hire") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("removed_by")
    for table in EDITED_IN_PLACE:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
            batch.drop_column("updated_by")
            batch.drop_column("version")
