"""CRM close date: a closed deal dated ahead counts as closed on its import day and keeps its CRM's date

Reps mark deals won or lost before their planned close date and HubSpot exports them with that date.
`closed_on` stays the day a deal counts as closed (every metric reads it); `crm_closed_on` holds the CRM's
later date. A deal's name (HubSpot's "Deal Name", Salesforce's "Opportunity Name") is kept beside its account.

Revision ID: 0012_crm_close_date
Revises: 0011_digest
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

revision = "0012_crm_close_date"
down_revision = "0011_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunity") as batch:
        batch.add_column(sa.Column("crm_closed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("name", AutoString(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("opportunity") as batch:
        batch.drop_column("crm_closed_on")
        batch.drop_column("name")
