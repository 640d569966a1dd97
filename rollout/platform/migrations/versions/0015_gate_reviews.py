"""gate reviews: conditions of a conditional go and their clearing, review meetings, recommendations;
candidate markets and their scores

Conditions, clearances, recommendations and the decisions a review recorded are history: append-only and
sealed like decisions (0009).

Revision ID: 0015_gate_reviews
Revises: 0014_crm_imports
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

revision = "0015_gate_reviews"
down_revision = "0014_crm_imports"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "gate_condition": (("id",),),
    "condition_clearance": (("id",), ("condition_id",)),
    "recommendation": (("id",),),
    "review_decision": (("id",), ("review_id", "country_code"), ("decision_id",)),
}


def upgrade() -> None:
    op.create_table(
        "gate_condition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("phase", AutoString(length=40), nullable=False),
        sa.Column("text", AutoString(), nullable=False),
        sa.Column("owner", AutoString(length=254), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gate_condition_country_code", "gate_condition", ["country_code"])
    op.create_index("ix_gate_condition_decision_id", "gate_condition", ["decision_id"])
    op.create_table(
        "condition_clearance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("condition_id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("cleared_on", sa.Date(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("cleared_at", UTCDateTime(), nullable=False),
        sa.Column("cleared_by", AutoString(length=254), nullable=False),
        sa.ForeignKeyConstraint(["condition_id"], ["gate_condition.id"]),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("condition_id"),
    )
    op.create_index("ix_condition_clearance_country_code", "condition_clearance", ["country_code"])
    op.create_table(
        "gate_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chair", AutoString(length=254), nullable=False),
        sa.Column("markets", sa.JSON(), nullable=False),
        sa.Column("gatekeepers", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", AutoString(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_gate_review_held_on", "gate_review", ["held_on"])
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("phase", AutoString(length=40), nullable=False),
        sa.Column("gatekeeper", AutoString(length=254), nullable=False),
        sa.Column("recommendation", AutoString(length=20), nullable=False),
        sa.Column("comment", AutoString(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.ForeignKeyConstraint(["review_id"], ["gate_review.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recommendation_review_id", "recommendation", ["review_id"])
    op.create_index("ix_recommendation_country_code", "recommendation", ["country_code"])
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("recommendations", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["country_code"], ["country.code"]),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["gate_review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id"),
        sa.UniqueConstraint("review_id", "country_code", name="uq_review_decision_market"),
    )
    op.create_index("ix_review_decision_review_id", "review_decision", ["review_id"])
    op.create_table(
        "candidate_market",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("country_code", AutoString(length=2), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("note", AutoString(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", AutoString(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("country_code"),
    )
    for table, keys in APPEND_ONLY.items():
        forbid_update_and_delete(table)
        forbid_replace_and_truncate(table, keys)


def downgrade() -> None:
    for table in APPEND_ONLY:
        allow_replace_and_truncate(table)
        allow_update_and_delete(table)
    for table in (
        "candidate_market",
        "review_decision",
        "recommendation",
        "gate_review",
        "condition_clearance",
        "gate_condition",
    ):
        op.drop_table(table)
