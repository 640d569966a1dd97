"""a main business zone per country, where campaign times are set by default

Countries already stored get the zone the rule chooses among their own zones (locales.main_time_zone):
Brazil America/Sao_Paulo rather than tzdata's first, America/Noronha.

Revision ID: 0010_main_zone
Revises: 0009_sealed_trail
Create Date: 2026-12-02
"""

import json

import sqlalchemy as sa
from alembic import op

from rollout.platform.locales import main_time_zone

revision = "0010_main_zone"
down_revision = "0009_sealed_trail"
branch_labels = None
depends_on = None

country = sa.table("country", sa.column("code", sa.String), sa.column("time_zones", sa.JSON))


def upgrade() -> None:
    with op.batch_alter_table("country") as batch:
        batch.add_column(sa.Column("main_time_zone", sa.String(length=60), nullable=False, server_default=""))
    connection = op.get_bind()
    for code, zones in connection.execute(sa.select(country.c.code, country.c.time_zones)).all():
        zones = json.loads(zones) if isinstance(zones, str) else zones
        connection.execute(
            sa.text("UPDATE country SET main_time_zone = :zone WHERE code = :code"),
            {"zone": main_time_zone(code, list(zones or [])), "code": code},
        )


def downgrade() -> None:
    with op.batch_alter_table("country") as batch:
        batch.drop_column("main_time_zone")
