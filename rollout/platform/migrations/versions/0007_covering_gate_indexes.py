"""gate metrics and market comparisons answered from indexes alone: the indexes carry the columns counted

A gate's deals won, amounts won and open pipeline, and its qualified meetings, read a few columns of
thousands of rows per market; with those columns in the index no table row is read (large scale: gate
evaluation of 80 markets 1.9 s → 0.6 s on SQLite). `created_on` right after `closed_on`: the deals still
open and created by a day are one range of the index. The stage index also carries the market, the two
days and the amount: every market's deals won and lost, the cycle of each win and the open pipeline
(markets side by side: 4.9 s → 0.6 s at large) are read from it alone. Two indexes every import kept up
went unread: the deal's country alone (the first column of two others) and its close day alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# name: (table, columns before, columns now)
WIDENED = {
    "ix_signal_country_kind_day": ("signal", ["country_code", "kind", "occurred_on"], ["qualified"]),
    "ix_opportunity_country_closed": (
        "opportunity",
        ["country_code", "closed_on"],
        ["created_on", "stage", "currency", "amount"],
    ),
    "ix_opportunity_stage": (
        "opportunity",
        ["stage"],
        ["country_code", "closed_on", "created_on", "currency", "amount"],
    ),
}


# name: (table, columns): no query needs them now
DROPPED = {
    "ix_opportunity_country_code": ("opportunity", ["country_code"]),
    "ix_opportunity_closed_on": ("opportunity", ["closed_on"]),
}


def upgrade() -> None:
    for name, (table, columns, added) in WIDENED.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns + added)
    for name, (table, _columns) in DROPPED.items():
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, (table, columns, _added) in WIDENED.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    for name, (table, columns) in DROPPED.items():
        op.create_index(name, table, columns)
