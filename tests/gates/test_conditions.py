"""Conditional go: conditions become checks of the next gate, owed until cleared; one past its date turns
the market at risk; clearing is for good, audited; the trail stays sealed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from rollout.gates.conditions import ConditionInput, clear_condition, parse_condition_lines
from rollout.platform import audit
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from tests.conftest import ACTOR
from tests.factories import PILOT_METRIC, add, decide, make_playbook, registered_metric, status

START, GO_DAY = date(2026, 1, 1), date(2026, 4, 1)
HIRE = ConditionInput("Native marketer hired", date(2026, 5, 1), "ana@team.example")


@pytest.fixture
def book():
    return make_playbook(threshold=15)


@pytest.fixture
def conditional_go(engine, book):
    add(engine, "ES", START)
    with registered_metric(PILOT_METRIC, lambda session, window: 20.0):
        decide(engine, book, "ES", "go", GO_DAY, conditions=[HIRE])
    return "ES"


def test_a_condition_is_a_check_of_the_next_gate_owed_until_cleared(engine, book, conditional_go):
    gate = status(engine, book, "ES", date(2026, 4, 20))
    assert gate.phase == "launch"
    [owed] = gate.conditions
    assert (owed.text, owed.owner, owed.due_on, owed.phase) == (HIRE.text, HIRE.owner, HIRE.due_on, "launch")
    check = next(c for c in gate.criteria if c.kind == "condition")
    assert check.met is False and "owed by ana@team.example" in check.note
    assert gate.ready is False
    assert gate.as_dict()["conditions"][0]["overdue"] is False

    with write_session(engine) as session:
        clear_condition(session, condition_id=owed.id, by=ACTOR, note="Hired Ana", on=date(2026, 4, 25))
    cleared = status(engine, book, "ES", date(2026, 4, 26))
    assert cleared.conditions == ()  # nothing owed any more
    check = next(c for c in cleared.criteria if c.kind == "condition")
    assert check.met is True and "cleared by" in check.note
    with read_session(engine) as session:
        cleared_rows = audit.history(session, table_name="condition_clearance")
    assert len(cleared_rows) > 0


def test_a_condition_past_its_date_turns_the_market_at_risk(engine, book, conditional_go):
    before, after = (status(engine, book, "ES", day) for day in (date(2026, 5, 1), date(2026, 5, 2)))
    assert before.health == "too_early"  # the Launch gate has an unmeasured metric: nothing to project
    assert after.health == "at_risk"
    assert after.as_dict()["conditions"][0]["overdue"] is True


def test_clearing_twice_is_refused(engine, book, conditional_go):
    [owed] = status(engine, book, "ES", date(2026, 4, 20)).conditions
    with write_session(engine) as session:
        clear_condition(session, condition_id=owed.id, by=ACTOR)
    with pytest.raises(RolloutError, match="already cleared by"), write_session(engine) as session:
        clear_condition(session, condition_id=owed.id, by=ACTOR)


@pytest.mark.parametrize(
    ("outcome", "condition", "complaint"),
    [
        ("extend", HIRE, "only a Go can carry conditions"),
        ("go", ConditionInput("  ", date(2026, 5, 1)), "condition 1: say what must be done"),
        ("go", ConditionInput("Hire", GO_DAY), "must be after the decision day"),
        ("go", ConditionInput("Hire", date(2026, 5, 1), "ana"), "is not an email"),
    ],
)
def test_bad_conditions_are_refused_and_nothing_is_recorded(engine, book, outcome, condition, complaint):
    add(engine, "ES", START)
    with pytest.raises(RolloutError, match=complaint):
        decide(engine, book, "ES", outcome, GO_DAY, conditions=[condition])
    assert status(engine, book, "ES", GO_DAY).decision_count == 0


def test_conditions_are_append_only(engine, book, conditional_go):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE gate_condition SET text = 'nothing'"))


def test_conditions_typed_one_a_line():
    typed = "Native marketer hired | 2026-03-01 | ana@team.example\n\nReference call done | 2026-04-01"
    assert parse_condition_lines(typed) == [
        ConditionInput("Native marketer hired", date(2026, 3, 1), "ana@team.example"),
        ConditionInput("Reference call done", date(2026, 4, 1), ""),
    ]
    with pytest.raises(RolloutError, match="line 1: 'soon' is not a date"):
        parse_condition_lines("Hire | soon")
