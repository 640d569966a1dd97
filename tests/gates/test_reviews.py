"""Gate review meetings: gatekeepers' recommendations, the chair's decision with them frozen, the quorum
and who may chair, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rollout.gates import reviews
from rollout.gates.conditions import ConditionInput
from rollout.gates.playbook import parse_playbook
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.users import add_user
from tests.conftest import ACTOR
from tests.factories import (
    PILOT_METRIC,
    TEST_PLAYBOOK_TOML,
    UNREGISTERED_METRIC,
    add,
    registered_metric,
    status,
)

START, MEETING = date(2026, 1, 1), date(2026, 3, 30)
ANA, BEN, SALLY = "ana@gate.example", "ben@gate.example", "sally@gate.example"


def playbook(quorum: int = 2):
    body = TEST_PLAYBOOK_TOML.format(
        threshold=15, months=3, metric=PILOT_METRIC, unregistered=UNREGISTERED_METRIC
    )
    rules = f'[reviews]\nchair_roles = ["leadership"]\nquorum = {quorum}\n'
    return parse_playbook(body + rules, source="test-playbook.toml")


@pytest.fixture
def book():
    return playbook()


@pytest.fixture
def review_id(engine, book):
    with write_session(engine) as session:
        for email, role in ((ANA, "leadership"), (BEN, "leadership"), (SALLY, "sales")):
            add_user(session, email=email, role=role, by=ACTOR)
    add(engine, "ES", START)
    add(engine, "IT", START)
    with write_session(engine) as session:
        review = reviews.create_review(
            session, title="Q1 gate review", held_on=MEETING, chair=ANA, markets=["es", "IT"],
            gatekeepers=[ANA, BEN], by=ACTOR, playbook=book,
        )  # fmt: skip
        return review.id


def recommend(engine, review_id, who, what, code="ES", comment="seen the numbers"):
    with write_session(engine) as session:
        return reviews.record_recommendation(
            session, review_id=review_id, code=code, recommendation=what, comment=comment, by=who
        )


def chair_decides(engine, book, review_id, code="ES", by=ANA, **kwargs):
    kwargs.setdefault("rationale", "as recommended")
    with registered_metric(PILOT_METRIC, lambda session, window: 10.0), write_session(engine) as session:
        decision = reviews.decide_in_review(
            session, review_id=review_id, code=code, by=by, playbook=book, today=MEETING, **kwargs
        )
        session.expunge(decision)
        return decision


def test_the_latest_recommendation_of_each_gatekeeper_counts(engine, review_id):
    recommend(engine, review_id, ANA, "extend")
    recommend(engine, review_id, BEN, "go")
    recommend(engine, review_id, ANA, "conditional_go", comment="go if we hire")
    with read_session(engine) as session:
        latest = reviews.latest_recommendations(session, review_id, "ES")
    assert [(r["gatekeeper"], r["recommendation"]) for r in latest] == [(BEN, "go"), (ANA, "conditional_go")]


def test_the_chair_decides_and_the_recommendations_are_frozen_with_the_decision(engine, book, review_id):
    recommend(engine, review_id, ANA, "conditional_go")
    recommend(engine, review_id, BEN, "go")
    hire = ConditionInput("Native marketer hired", date(2026, 5, 1), BEN)
    decision = chair_decides(engine, book, review_id, outcome="go", conditions=[hire])
    assert [r["recommendation"] for r in decision.evidence["recommendations"]] == ["conditional_go", "go"]
    assert decision.evidence["review_id"] == review_id
    with pytest.raises(RolloutError, match="its recommendations are frozen"):
        recommend(engine, review_id, BEN, "stop")
    with read_session(engine) as session:
        [spain, italy] = reviews.agenda(session, reviews.get_review(session, review_id))
    assert spain.decision is not None and len(spain.frozen) == 2 and italy.decision is None
    # The condition is carried into the next gate.
    gate = status(engine, book, "ES", date(2026, 4, 2))
    assert gate.phase == "launch" and [c.text for c in gate.conditions] == [hire.text]


def test_no_decision_before_the_quorum_of_recommendations(engine, book, review_id):
    recommend(engine, review_id, ANA, "go")
    with pytest.raises(RolloutError, match="quorum: 1 of the 2 recommendations"):
        chair_decides(engine, book, review_id, outcome="go")
    assert status(engine, book, "ES", MEETING).decision_count == 0
    without_quorum = playbook(quorum=0)
    assert chair_decides(engine, without_quorum, review_id, code="IT", outcome="extend").outcome == "extend"


def test_only_the_chair_decides_and_only_gatekeepers_recommend(engine, book, review_id):
    recommend(engine, review_id, ANA, "go")
    recommend(engine, review_id, BEN, "go")
    with pytest.raises(RolloutError, match="is not the chair"):
        chair_decides(engine, book, review_id, by=BEN, outcome="go")
    with pytest.raises(RolloutError, match="is not a gatekeeper"):
        recommend(engine, review_id, ACTOR, "go")
    with pytest.raises(RolloutError, match="'approve' is not one of"):
        recommend(engine, review_id, BEN, "approve")
    with pytest.raises(RolloutError, match="comment: say why"):
        recommend(engine, review_id, BEN, "go", comment=" ")
    with pytest.raises(RolloutError, match="not on the agenda"):
        recommend(engine, review_id, BEN, "go", code="FR")


def test_the_playbook_says_who_may_chair(engine, book, review_id):
    with pytest.raises(RolloutError, match="may not chair a review"), write_session(engine) as session:
        reviews.create_review(
            session, title="Sales-led", held_on=MEETING, chair=SALLY, markets=["ES"], gatekeepers=[BEN],
            by=ACTOR, playbook=book,
        )  # fmt: skip


def test_recommendations_are_append_only(engine, review_id):
    recommend(engine, review_id, ANA, "go")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM recommendation"))
