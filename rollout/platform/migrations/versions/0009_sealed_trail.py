"""a sealed trail: SQLite's INSERT OR REPLACE and PostgreSQL's TRUNCATE refused on append-only tables

UPDATE and DELETE were already refused by triggers, but `INSERT OR REPLACE` on SQLite deleted the stored
decision or audit entry it collided with (its delete fires no trigger) and wrote a forged one, and
TRUNCATE on PostgreSQL emptied the tables (it fires no row trigger).

Revision ID: 0009_sealed_trail
Revises: 0008_data_version
Create Date: 2026-12-02
"""

from rollout.platform.migrations.append_only import allow_replace_and_truncate, forbid_replace_and_truncate

revision = "0009_sealed_trail"
down_revision = "0008_data_version"
branch_labels = None
depends_on = None

# Each append-only table with its primary key and unique constraints: an INSERT OR REPLACE colliding on
# any of them deletes the stored row.
UNIQUE_KEYS = {
    "decision": (("id",), ("country_code", "sequence")),
    "checkmark": (("id",),),
    "stagechange": (("id",),),
    "hirestagechange": (("id",),),
    "audit_entry": (("id",),),
}


def upgrade() -> None:
    for table, keys in UNIQUE_KEYS.items():
        forbid_replace_and_truncate(table, keys)


def downgrade() -> None:
    for table in UNIQUE_KEYS:
        allow_replace_and_truncate(table)
