"""content and talent: content catalogue with derivations, translations, hires and their stage history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from rollout.platform.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _updated() -> list[sa.Column]:
    return [
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", AutoString(length=254), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "contentitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("content_type", AutoString(length=30), nullable=False),
        sa.Column("source_language", AutoString(length=10), nullable=False),
        sa.Column("owner", AutoString(length=254), nullable=False),
        sa.Column("link", AutoString(length=500), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        *_updated(),
        sa.ForeignKeyConstraint(["parent_id"], ["contentitem.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contentitem_title", "contentitem", ["title"])
    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("locale", AutoString(length=20), nullable=False),
        sa.Column("status", AutoString(length=20), nullable=False),
        sa.Column("assignee", AutoString(length=254), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("published_link", AutoString(length=500), nullable=False),
        *_updated(),
        sa.ForeignKeyConstraint(["content_id"], ["contentitem.id"]),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_id", "country_code", "locale", name="uq_translation"),
    )
    op.create_index("ix_translation_content_id", "translation", ["content_id"])
    op.create_index("ix_translation_country_code", "translation", ["country_code"])
    op.create_table(
        "hire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("role", AutoString(length=100), nullable=False),
        sa.Column("candidate", AutoString(length=200), nullable=False),
        sa.Column("email", AutoString(length=254), nullable=False),
        sa.Column("native_languages", sa.JSON(), nullable=False),
        sa.Column("native_country", AutoString(length=2), nullable=False),
        sa.Column("based", AutoString(length=20), nullable=False),
        sa.Column("stage", AutoString(length=20), nullable=False),
        *_updated(),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hire_country_code", "hire", ["country_code"])
    op.create_table(
        "hirestagechange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hire_id", sa.Integer(), nullable=False),
        sa.Column("stage", AutoString(length=20), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("reason", AutoString(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["hire_id"], ["hire.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_hirestagechange_hire_id", "hirestagechange", ["hire_id"])


def downgrade() -> None:
    for table in ("hirestagechange", "hire", "translation", "contentitem"):
        op.drop_table(table)
