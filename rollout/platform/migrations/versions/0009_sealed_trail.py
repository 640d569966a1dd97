"""a sealed trail: SQLite's INSERT OR REPLACE and PostgreSQL's TRUNCATE refused on append-only tables

UPDATE and DELETE were already refused by triggers, but `INSERT OR REPLACE` on SQLite deleted the stored
decision or audit entry it collided with (its delete fires no trigger) and wrote a forged one, and
TRUNCATE on PostgreSQL emptied the tables (it fires no row trigger).

Revision ID: 0009_sealed_trail
Revises: 0007
Create Date: 2026-12-02
"""

from rollout.platform.migrations.append_only import (
    UNIQUE_KEYS,
    allow_replace_and_truncate,
    forbid_replace_and_truncate,
)

revision = "0009_sealed_trail"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in UNIQUE_KEYS:
        forbid_replace_and_truncate(table)


def downgrade() -> None:
    for table in UNIQUE_KEYS:
        allow_replace_and_truncate(table)
