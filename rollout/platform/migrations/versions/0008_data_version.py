"""data version: one row counting the transactions that changed data

Reads are cached per server process; a write made by another process (a second server, the CLI, an import)
cannot clear them. Every writing transaction bumps this count, and each server reads it once per rerun: a
count it has not seen means its cached reads are stale.

Revision ID: 0008_data_version
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_data_version"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
