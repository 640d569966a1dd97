"""indexes for one market's signals and deals over a time window (what gate metrics read)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_signal_country_kind_day": ("signal", ["country_code", "kind", "occurred_on"]),
    "ix_opportunity_country_created": ("opportunity", ["country_code", "created_on"]),
    "ix_opportunity_country_closed": ("opportunity", ["country_code", "closed_on"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
