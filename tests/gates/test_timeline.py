"""Replaying a country's decisions into phases, due dates and days on the clock (pure, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.gates.playbook import ESTABLISHED, EXITED
from rollout.gates.timeline import active_days, planned_days, replay
from tests.factories import FakeDecision, make_playbook

PLAYBOOK = make_playbook(months=3)  # pilot: 3 months, launch: 2 months
START = date(2026, 1, 10)
TODAY = date(2026, 11, 26)


def run(*decisions: FakeDecision, today: date = TODAY, start: date = START):
    return replay(start, list(decisions), PLAYBOOK, today)


def go(on: date) -> FakeDecision:
    return FakeDecision("go", on)


def extend(on: date, months: int) -> FakeDecision:
    return FakeDecision("extend", on, months)


def hold(on: date) -> FakeDecision:
    return FakeDecision("hold", on)


def test_no_decisions_means_first_phase_due_after_its_months():
    timeline = run(today=date(2026, 2, 1))
    assert timeline.state == "pilot"
    span = timeline.current
    assert (span.phase, span.started_on, span.planned_end, span.due_on) == (
        "pilot",
        START,
        date(2026, 4, 10),
        date(2026, 4, 10),
    )
    assert planned_days(span) == 90  # 21 (Jan) + 28 (Feb) + 31 (Mar) + 10 (Apr)
    assert active_days(span, date(2026, 2, 1)) == 22


def test_go_starts_the_next_phase_on_the_decision_day():
    timeline = run(go(date(2026, 4, 2)))
    assert timeline.state == "launch"
    first, second = timeline.spans
    assert (first.ended_on, first.outcome) == (date(2026, 4, 2), "go")
    assert timeline.current is second
    assert (second.started_on, second.due_on) == (date(2026, 4, 2), date(2026, 6, 2))


def test_go_at_the_last_phase_establishes_the_country():
    timeline = run(go(date(2026, 4, 2)), go(date(2026, 6, 1)))
    assert timeline.state == ESTABLISHED
    assert timeline.current is None
    assert [(s.phase, s.outcome, s.ended_on) for s in timeline.spans] == [
        ("pilot", "go", date(2026, 4, 2)),
        ("launch", "go", date(2026, 6, 1)),
    ]


def test_stop_exits_the_rollout():
    timeline = run(go(date(2026, 4, 2)), FakeDecision("stop", date(2026, 5, 1)))
    assert timeline.state == EXITED
    assert timeline.current is None
    assert timeline.spans[-1].outcome == "stop"
    assert timeline.spans[-1].ended_on == date(2026, 5, 1)


def test_extension_moves_the_due_date_by_calendar_months():
    timeline = run(extend(date(2026, 4, 1), 3))
    span = timeline.current
    assert timeline.state == "pilot"
    assert span.planned_end == date(2026, 4, 10)
    assert span.extension_months == 3
    assert span.due_on == date(2026, 7, 10)
    assert planned_days(span) == 181  # Jan 10 → Jul 10


def test_extensions_add_up():
    timeline = run(extend(date(2026, 4, 1), 3), extend(date(2026, 7, 1), 1))
    assert timeline.current.due_on == date(2026, 8, 10)


def test_extension_from_the_31st_clamps_to_the_month_end():
    # Oct 31 + 3 months = Jan 31; one more month is Feb 28, not Mar 3.
    timeline = run(extend(date(2026, 1, 20), 1), start=date(2025, 10, 31), today=date(2026, 2, 1))
    assert timeline.current.planned_end == date(2026, 1, 31)
    assert timeline.current.due_on == date(2026, 2, 28)


def test_phase_starting_on_the_31st_ends_on_the_last_day_of_a_short_month():
    timeline = run(start=date(2025, 11, 30), today=date(2025, 12, 1))
    assert timeline.current.due_on == date(2026, 2, 28)


def test_ended_hold_moves_the_due_date_by_the_held_days():
    # Held 2026-03-01 → 2026-03-21 (20 days), then extended by a month.
    timeline = run(hold(date(2026, 3, 1)), extend(date(2026, 3, 21), 1), today=date(2026, 4, 1))
    span = timeline.current
    assert span.held_since is None
    assert span.held_days == 20
    assert span.due_on == date(2026, 5, 30)  # Apr 10 + 1 month + 20 days
    assert active_days(span, date(2026, 4, 1)) == 81 - 20  # Jan 10 → Apr 1 is 81 days


def test_open_hold_stops_the_clock_and_keeps_pushing_the_due_date():
    decisions = [hold(date(2026, 3, 1))]
    on_day_20 = run(*decisions, today=date(2026, 3, 21)).current
    assert on_day_20.held_since == date(2026, 3, 1)
    assert on_day_20.due_on == date(2026, 4, 30)
    assert active_days(on_day_20, date(2026, 3, 21)) == 50  # Jan 10 → Mar 1

    on_day_30 = run(*decisions, today=date(2026, 3, 31)).current
    assert on_day_30.due_on == date(2026, 5, 10)
    assert active_days(on_day_30, date(2026, 3, 31)) == 50
    assert planned_days(on_day_30) == 90  # holds move the due date, not the time the clock may run


@pytest.mark.parametrize("outcome", ["go", "stop", "extend"])
def test_any_decision_ends_a_hold(outcome):
    ending = FakeDecision(outcome, date(2026, 3, 21), 1 if outcome == "extend" else None)
    timeline = run(hold(date(2026, 3, 1)), ending, today=date(2026, 4, 1))
    pilot = timeline.spans[0]
    assert pilot.held_since is None
    assert pilot.held_days == 20


def test_go_after_a_hold_closes_the_span_with_its_held_days():
    timeline = run(hold(date(2026, 3, 1)), go(date(2026, 3, 21)))
    pilot, launch = timeline.spans
    assert pilot.due_on == date(2026, 4, 30)
    assert active_days(pilot, TODAY) == 50  # ended spans stop at their end, less the hold
    assert launch.held_days == 0
    assert launch.started_on == date(2026, 3, 21)


def test_holds_add_up_within_a_phase():
    timeline = run(
        hold(date(2026, 2, 1)),
        extend(date(2026, 2, 11), 1),  # 10 days held
        hold(date(2026, 3, 1)),
        extend(date(2026, 3, 6), 1),  # 5 days held
        today=date(2026, 4, 1),
    )
    span = timeline.current
    assert span.held_days == 15
    assert span.due_on == date(2026, 6, 25)  # Apr 10 + 2 months + 15 days


def test_active_days_is_zero_before_the_start():
    span = run(today=date(2026, 1, 1)).current
    assert active_days(span, date(2026, 1, 1)) == 0
