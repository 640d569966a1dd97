"""Gate evaluation, the on-track forecast and check marks, on SQLite and PostgreSQL.

The test playbook (tests/factories.py) has a Pilot phase of 3 months with the metric criterion
`meetings` (threshold 15) and the check `memo`, then a Launch phase. The country starts on
2026-01-01, so the Pilot gate is due on 2026-04-01, 90 days later; on 2026-01-31, 30 days have run.
"""

from __future__ import annotations

import threading
import time as time_module
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from rollout.gates import decisions as gate_decisions
from rollout.gates import status as gates
from rollout.gates.status import AT_RISK, NOT_MEASURED, OFF_TRACK, ON_TRACK, CriterionResult
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.models import CheckMark
from tests.factories import (
    PILOT_METRIC,
    FixedDate,
    add,
    checkmark_count,
    criterion,
    decide,
    make_playbook,
    registered_metric,
    status,
    tick,
)

START = date(2026, 1, 1)
DUE = date(2026, 4, 1)
DAY_30 = date(2026, 1, 31)


@pytest.fixture
def book():
    return make_playbook(threshold=15)


@pytest.fixture
def country(engine):
    add(engine, "ES", START)
    return "ES"


class Value:
    """A metric whose value the test sets: for the forecast maths, where the data do not matter."""

    def __init__(self) -> None:
        self.value = 0.0

    def __call__(self, _session, _window) -> float:
        return self.value


@pytest.fixture
def pilot_metric():
    metric = Value()
    with registered_metric(PILOT_METRIC, metric):
        yield metric


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def marks_in_window(session, window) -> float:
    """Check marks of the window's country made from window.start to window.end, both inclusive."""
    after = datetime.combine(window.start, time.min, tzinfo=UTC)
    before = datetime.combine(window.end + timedelta(days=1), time.min, tzinfo=UTC)
    query = (
        select(func.count())
        .select_from(CheckMark)
        .where(CheckMark.country_code == window.country_code)
        .where(CheckMark.marked_at >= after, CheckMark.marked_at < before)
    )
    return session.exec(query).one()


def result(kind: str = "metric", met: bool = False, forecast: str = NOT_MEASURED, value=None):
    return CriterionResult(
        key="k", name="K", kind=kind, unit="count", value=value, threshold=1.0, met=met, forecast=forecast
    )


# --- metrics ---------------------------------------------------------------------------------------


def test_unregistered_metric_is_not_measured_and_never_met(engine, country):
    book = make_playbook(threshold=0)  # even a threshold of 0 is not met by a metric nobody measures
    gate = status(engine, book, country, DAY_30)
    meetings = criterion(gate, "meetings")
    assert meetings.value is None
    assert meetings.measured is False
    assert meetings.met is False
    assert meetings.forecast == NOT_MEASURED
    assert meetings.note == "not measured yet"
    assert meetings.threshold == 0.0
    assert gate.ready is False
    assert gate.forecast == NOT_MEASURED


def test_unregistered_metric_blocks_readiness_even_with_checks_ticked(engine, country, book):
    tick(engine, book, country, "memo", DAY_30)
    gate = status(engine, book, country, DAY_30)
    assert criterion(gate, "memo").met is True
    assert gate.ready is False
    assert gate.criteria_met == 1


def test_sql_metric_counts_rows_inside_the_window(engine, country):
    book = make_playbook(threshold=2)
    add(engine, "FR", START)
    tick(engine, book, country, "memo", date(2026, 1, 5), now=at_noon(date(2026, 1, 5)))
    tick(engine, book, "FR", "memo", date(2026, 1, 6), now=at_noon(date(2026, 1, 6)))  # other country
    tick(engine, book, country, "memo", date(2026, 1, 20), now=at_noon(date(2026, 1, 20)))
    with registered_metric(PILOT_METRIC, marks_in_window):
        early = criterion(status(engine, book, country, date(2026, 1, 10)), "meetings")
        late = status(engine, book, country, date(2026, 1, 25))
    assert (early.value, early.met) == (1.0, False)
    assert (criterion(late, "meetings").value, criterion(late, "meetings").met) == (2.0, True)
    assert late.ready is True
    assert late.forecast == ON_TRACK


def test_metric_window_covers_the_current_phase(engine, country, book):
    windows = []
    with registered_metric(PILOT_METRIC, lambda session, window: windows.append(window) or 0):
        status(engine, book, country, DAY_30)
    assert len(windows) == 1
    window = windows[0]
    assert (window.country_code, window.start, window.end, window.due) == ("ES", START, DAY_30, DUE)


@pytest.mark.parametrize(
    ("value", "forecast", "projected"),
    [
        (15, ON_TRACK, 15.0),  # met already
        (5, ON_TRACK, 15.0),  # 5 in 30 of 90 days → 15 at the due date
        (4, AT_RISK, 12.0),  # 12 / 15 = 0.8, the at-risk ratio
        (3.9, OFF_TRACK, 11.7),
        (2, OFF_TRACK, 6.0),
    ],
)
def test_metric_forecast_projects_the_pace_to_the_due_date(
    engine, country, book, pilot_metric, value, forecast, projected
):
    pilot_metric.value = value
    gate = status(engine, book, country, DAY_30)
    meetings = criterion(gate, "meetings")
    assert meetings.value == value
    assert meetings.met is (value >= 15)
    assert meetings.forecast == forecast
    assert meetings.projected == pytest.approx(projected)
    assert gate.forecast == forecast  # the unticked check has no pace and does not count
    assert (gate.days_in_phase, gate.planned_days) == (30, 90)


def test_overdue_and_unmet_is_off_track(engine, country, book, pilot_metric):
    pilot_metric.value = 14
    gate = status(engine, book, country, DUE)
    assert criterion(gate, "meetings").forecast == OFF_TRACK
    assert gate.forecast == OFF_TRACK


def test_overdue_with_an_unticked_check_is_off_track(engine, country, book, pilot_metric):
    pilot_metric.value = 15
    assert status(engine, book, country, DAY_30).forecast == ON_TRACK
    assert status(engine, book, country, DUE).forecast == ON_TRACK  # the due day is still in time
    assert status(engine, book, country, DUE + timedelta(days=1)).forecast == OFF_TRACK


def test_all_met_is_ready_and_on_track_even_when_overdue(engine, country, book, pilot_metric):
    pilot_metric.value = 20
    tick(engine, book, country, "memo", DAY_30)
    gate = status(engine, book, country, date(2026, 6, 1))
    assert gate.ready is True
    assert gate.forecast == ON_TRACK


def test_no_forecast_before_the_start(engine, country, book):
    gate = status(engine, book, country, date(2025, 12, 1))
    assert gate.started is False
    assert gate.forecast is None
    assert gate.gate_due == DUE


@pytest.mark.parametrize(
    ("value", "elapsed", "planned", "expected"),
    [
        (5, 30, 90, (ON_TRACK, 15.0)),
        (4, 30, 90, (AT_RISK, 12.0)),
        (2, 30, 90, (OFF_TRACK, 6.0)),
        (14, 90, 90, (OFF_TRACK, 14.0)),  # due: no time left to catch up
        (14, 100, 90, (OFF_TRACK, 12.6)),
        (3, 0, 90, (gates.TOO_EARLY, 3.0)),  # no pace yet: too early to tell
        (15, 1, 90, (ON_TRACK, 15.0)),
    ],
)
def test_metric_forecast_maths(value, elapsed, planned, expected):
    forecast, projected = gates.metric_forecast(value, 15, elapsed, planned, at_risk_ratio=0.8)
    assert (forecast, pytest.approx(projected)) == expected


def test_zero_threshold_is_always_on_track():
    assert gates.metric_forecast(0, 0, 30, 90, 0.8) == (ON_TRACK, 0)


@pytest.mark.parametrize(
    ("criteria", "overdue", "expected"),
    [
        (
            [result(met=True, forecast=ON_TRACK, value=1), result("check", met=True, value=True)],
            True,
            ON_TRACK,
        ),
        ([result(), result("check", value=False)], False, NOT_MEASURED),
        ([result("check", value=False)], False, NOT_MEASURED),
        ([result("check", value=False)], True, OFF_TRACK),
        ([result(forecast=ON_TRACK, value=5), result(forecast=AT_RISK, value=4)], False, AT_RISK),
        ([result(forecast=AT_RISK, value=4), result(forecast=OFF_TRACK, value=1)], False, OFF_TRACK),
        ([result(forecast=ON_TRACK, value=5), result()], False, ON_TRACK),  # unmeasured has no pace
        ([result(forecast=ON_TRACK, value=5)], True, OFF_TRACK),
    ],
)
def test_gate_forecast(criteria, overdue, expected):
    assert gates.gate_forecast(criteria, overdue) == expected


# --- check marks -----------------------------------------------------------------------------------


def test_ticking_a_check_meets_it_and_names_who(engine, country, book):
    tick(engine, book, country, "memo", DAY_30, by="CMO@Rollout.Example", note="  read it  ")
    memo = criterion(status(engine, book, country, DAY_30), "memo")
    assert (memo.value, memo.met, memo.kind) == (True, True, "check")
    assert memo.note == "ticked by cmo@rollout.example: read it"


def test_latest_mark_wins_and_unticking_works(engine, country, book):
    tick(engine, book, country, "memo", DAY_30, by="a@rollout.example")
    tick(engine, book, country, "memo", DAY_30, checked=False, by="b@rollout.example")
    memo = criterion(status(engine, book, country, DAY_30), "memo")
    assert (memo.met, memo.note) == (False, "unticked by b@rollout.example")
    tick(engine, book, country, "memo", DAY_30, by="c@rollout.example")
    assert criterion(status(engine, book, country, DAY_30), "memo").met is True
    assert checkmark_count(engine) == 3  # history kept, never overwritten


@pytest.mark.parametrize("key", ["meetings", "nope"])
def test_only_checks_of_the_current_gate_can_be_marked(engine, country, book, key):
    with pytest.raises(RolloutError) as error:
        tick(engine, book, country, key, DAY_30)
    assert str(error.value) == f"'{key}' is not a check of the Pilot review gate (its checks: memo)"
    assert checkmark_count(engine) == 0


def test_marks_belong_to_their_phase(engine, country, book):
    tick(engine, book, country, "memo", DAY_30)
    decide(engine, book, country, "go", date(2026, 3, 1))
    with pytest.raises(RolloutError, match=r"not a check of the Launch review gate \(its checks: sign_off\)"):
        tick(engine, book, country, "memo", date(2026, 3, 2))
    gate = status(engine, book, country, date(2026, 3, 2))
    assert criterion(gate, "sign_off").met is False
    assert criterion(gate, "sign_off").note == ""


def test_marking_needs_an_email(engine, country, book):
    with pytest.raises(RolloutError, match="not an email address"):
        tick(engine, book, country, "memo", DAY_30, by="someone")
    assert checkmark_count(engine) == 0


def test_portfolio_lists_every_country_by_start_date(engine, country, book):
    add(engine, "IN", date(2025, 12, 1))
    decide(engine, book, "IN", "go", date(2026, 1, 15))
    with read_session(engine) as session:
        statuses = gates.portfolio(session, today=DAY_30, playbook=book)
    assert [(s.country, s.phase, s.decision_count) for s in statuses] == [
        ("IN", "launch", 1),
        ("ES", "pilot", 0),
    ]


# --- decisions -------------------------------------------------------------------------------------


def stored_decisions(engine, code: str = "ES"):
    with read_session(engine) as session:
        found = gates.decisions(session, code)
        for decision in found:
            session.expunge(decision)
    return found


def test_go_advances_to_the_next_phase_from_the_decision_day(engine, country, book):
    decision = decide(engine, book, country, "go", date(2026, 3, 20), by="CEO@rollout.example")
    assert (decision.sequence, decision.phase, decision.outcome) == (1, "pilot", "go")
    assert decision.decided_by == "ceo@rollout.example"
    assert decision.extension_months is None
    gate = status(engine, book, country, date(2026, 3, 25))
    assert (gate.phase, gate.phase_started, gate.gate_due) == ("launch", date(2026, 3, 20), date(2026, 5, 20))
    assert gate.days_in_phase == 5
    assert gate.decision_count == 1
    assert gate.last_decision == {
        "sequence": 1,
        "outcome": "go",
        "phase": "pilot",
        "decided_on": "2026-03-20",
        "decided_by": "ceo@rollout.example",
    }


def test_go_at_the_last_gate_establishes(engine, country, book):
    decide(engine, book, country, "go", date(2026, 3, 20))
    decide(engine, book, country, "go", date(2026, 5, 1))
    gate = status(engine, book, country, date(2026, 5, 11))
    assert (gate.phase, gate.phase_started, gate.gate_due) == ("established", date(2026, 5, 1), None)
    assert (gate.criteria, gate.ready, gate.forecast, gate.days_in_phase) == ((), False, None, 10)
    with pytest.raises(RolloutError, match="ES is established: it has no gate to decide"):
        decide(engine, book, country, "go", date(2026, 5, 11))


def test_extend_moves_the_due_date(engine, country, book):
    decision = decide(
        engine, book, country, "extend", date(2026, 3, 25), extension_months=2, rationale=" why "
    )
    assert (decision.extension_months, decision.rationale) == (2, "why")
    gate = status(engine, book, country, date(2026, 4, 2))
    assert (gate.phase, gate.phase_started, gate.gate_due) == ("pilot", START, date(2026, 6, 1))
    assert gate.planned_days == 151  # 2026-01-01 → 2026-06-01


def test_extend_defaults_to_the_playbook_length(engine, country, book):
    decision = decide(engine, book, country, "extend", date(2026, 3, 25))
    assert decision.extension_months == 3
    assert status(engine, book, country, date(2026, 4, 2)).gate_due == date(2026, 7, 1)


def test_hold_stops_the_clock(engine, country, book):
    decide(engine, book, country, "hold", date(2026, 2, 1))
    gate = status(engine, book, country, date(2026, 2, 21))
    assert gate.on_hold_since == date(2026, 2, 1)
    assert gate.days_in_phase == 31  # Jan 1 → Feb 1; the 20 held days do not count
    assert gate.gate_due == date(2026, 4, 21)  # Apr 1 + 20 days
    # Past the original due date, a held gate is not overdue: its due date keeps moving.
    later = status(engine, book, country, date(2026, 5, 1))
    assert later.gate_due == date(2026, 6, 29)  # Apr 1 + 89 days held
    assert later.forecast == NOT_MEASURED  # not OFF_TRACK


def test_a_decision_after_a_hold_restarts_the_clock(engine, country, book):
    decide(engine, book, country, "hold", date(2026, 2, 1))
    decide(engine, book, country, "extend", date(2026, 2, 21), extension_months=1)
    gate = status(engine, book, country, date(2026, 3, 3))
    assert gate.on_hold_since is None
    assert gate.days_in_phase == 41  # 61 calendar days less 20 on hold
    assert gate.gate_due == date(2026, 5, 21)  # Apr 1 + 1 month + 20 days


def test_stop_exits_and_then_nothing_can_be_decided(engine, country, book):
    decide(engine, book, country, "stop", date(2026, 2, 1))
    gate = status(engine, book, country, date(2026, 2, 11))
    assert (gate.phase, gate.phase_started, gate.gate_due, gate.forecast) == (
        "exited",
        date(2026, 2, 1),
        None,
        None,
    )
    for outcome in ("go", "extend", "hold", "stop"):
        with pytest.raises(RolloutError, match="ES is exited: it has no gate to decide"):
            decide(engine, book, country, outcome, date(2026, 2, 11))
    with pytest.raises(RolloutError, match="no gate to decide"):
        tick(engine, book, country, "memo", date(2026, 2, 11))
    assert len(stored_decisions(engine)) == 1


@pytest.mark.parametrize("outcome", ["extend", "hold", "stop"])
def test_rationale_is_required_to_extend_hold_or_stop(engine, country, book, outcome):
    with pytest.raises(RolloutError, match=f"rationale: required to {outcome}"):
        decide(engine, book, country, outcome, DAY_30, rationale=" \n ")
    assert stored_decisions(engine) == []
    decide(engine, book, country, "go", DAY_30)  # go needs none


@pytest.fixture
def on_hold(engine, country, book):
    """ES on hold since 2026-02-01, one decision recorded."""
    decide(engine, book, country, "hold", date(2026, 2, 1))
    return country


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "maybe"}, "decision 'maybe' is not one of go, extend, hold, stop"),
        ({"by": "nobody"}, "'nobody' is not an email address"),
        ({"by": ""}, "is not an email address"),
        ({"by": "a b@rollout.example"}, "is not an email address"),
        ({"outcome": "extend", "rationale": ""}, "rationale: required to extend"),
        ({"outcome": "stop", "rationale": "   "}, "rationale: required to stop"),
        ({"outcome": "hold"}, "ES is already on hold since 2026-02-01"),
        ({"outcome": "extend", "extension_months": 0}, "extension: must be 1 to 24 months, not 0"),
        ({"outcome": "extend", "extension_months": 25}, "extension: must be 1 to 24 months, not 25"),
        ({"on": date(2025, 12, 31)}, "ES starts on 2026-01-01: there is no gate to decide before then"),
        ({"on": date(2026, 1, 20)}, "date: 2026-01-20 is before the previous decision"),
        ({"code": "FR"}, "FR (France) is not in the rollout yet"),
        ({"code": "XX"}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ({"expected_count": 0}, "ES: lead@rollout.example recorded 'hold' on 2026-02-01"),
    ],
)
def test_refused_decisions_change_nothing(engine, on_hold, book, change, message):
    call = {"code": on_hold, "outcome": "go", "on": date(2026, 3, 1), "rationale": "because"} | change
    with pytest.raises(RolloutError) as error:
        decide(engine, book, **call)
    assert message in str(error.value)
    assert [d.outcome for d in stored_decisions(engine)] == ["hold"]
    assert status(engine, book, on_hold, date(2026, 3, 1)).on_hold_since == date(2026, 2, 1)


def test_future_decision_is_refused(engine, country, book, monkeypatch):
    monkeypatch.setattr(gates, "date", FixedDate)  # the real today, as record_decision sees it
    monkeypatch.setattr(gate_decisions, "date", FixedDate)
    with pytest.raises(RolloutError, match="date: 2026-11-27 is in the future"):
        decide(engine, book, country, "go", date(2026, 11, 27))
    assert stored_decisions(engine) == []


def test_decision_defaults_to_today(engine, country, book, monkeypatch):
    monkeypatch.setattr(gates, "date", FixedDate)
    monkeypatch.setattr(gate_decisions, "date", FixedDate)
    decide(engine, book, country, "extend", None)
    assert stored_decisions(engine)[0].decided_on == date(2026, 11, 26)


# --- history is append-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE decision SET rationale = 'rewritten'",
        "UPDATE decision SET outcome = 'go'",
        "DELETE FROM decision",
        "UPDATE checkmark SET checked = false",
        "DELETE FROM checkmark",
    ],
)
def test_the_database_refuses_to_edit_history(engine, country, book, statement):
    tick(engine, book, country, "memo", DAY_30)
    decide(engine, book, country, "stop", DAY_30, rationale="original")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    [decision] = stored_decisions(engine)
    assert (decision.outcome, decision.rationale) == ("stop", "original")
    assert checkmark_count(engine) == 1
    with read_session(engine) as session:
        assert session.exec(select(CheckMark.checked)).one() is True


# --- evidence --------------------------------------------------------------------------------------


def test_decision_freezes_exactly_the_gate_status_it_saw(engine, country, book, pilot_metric):
    pilot_metric.value = 4
    tick(engine, book, country, "memo", DAY_30, note="fine")
    seen = status(engine, book, country, DAY_30).as_dict()
    assert seen["criteria"][0]["projected"] == pytest.approx(12.0)
    decision = decide(engine, book, country, "extend", DAY_30, expected_count=0)
    assert decision.evidence == seen
    [stored] = stored_decisions(engine)
    assert stored.evidence == seen
    assert stored.evidence["as_of"] == "2026-01-31"
    assert stored.evidence["decision_count"] == 0
    assert [c["key"] for c in stored.evidence["criteria"]] == ["meetings", "memo"]


def test_evidence_does_not_follow_later_changes(engine, country, book):
    seen = status(engine, book, country, DAY_30).as_dict()
    decide(engine, book, country, "extend", DAY_30)
    tick(engine, book, country, "memo", date(2026, 2, 5))  # ticked after the decision
    with registered_metric(PILOT_METRIC, lambda session, window: 99):  # measured after the decision
        now = status(engine, book, country, date(2026, 2, 5))
        [stored] = stored_decisions(engine)
    assert [c.met for c in now.criteria] == [True, True]
    assert stored.evidence == seen
    assert [(c["value"], c["met"]) for c in stored.evidence["criteria"]] == [(None, False), (False, False)]


# --- concurrent deciders ---------------------------------------------------------------------------


def test_second_decider_on_stale_view_gets_a_conflict_naming_the_first(engine, country, book):
    seen = status(engine, book, country, DAY_30).decision_count
    decide(engine, book, country, "extend", DAY_30, by="first@rollout.example", expected_count=seen)
    with pytest.raises(Conflict) as error:
        decide(engine, book, country, "go", DAY_30, by="second@rollout.example", expected_count=seen)
    message = str(error.value)
    assert "first@rollout.example recorded 'extend' on 2026-01-31" in message
    assert "Your decision was not recorded" in message
    assert [d.decided_by for d in stored_decisions(engine)] == ["first@rollout.example"]


def test_simultaneous_deciders_only_one_wins(engine, country, book):
    seen = status(engine, book, country, DAY_30).decision_count
    barrier = threading.Barrier(2)

    def decider(who: str) -> str:
        barrier.wait(timeout=10)  # both reviewed the gate (seen) and submit together
        try:
            decide(engine, book, country, "extend", DAY_30, by=f"{who}@rollout.example", expected_count=seen)
        except Conflict as error:
            return f"conflict: {error}"
        return "recorded"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(decider, ["anna", "bert"]))
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "recorded"]
    [stored] = stored_decisions(engine)
    assert stored.sequence == 1
    if engine.dialect.name == "sqlite":
        # Writers queue (BEGIN IMMEDIATE), so the loser always sees the winner's decision.
        assert f"{stored.decided_by} recorded 'extend'" in next(
            o for o in outcomes if o.startswith("conflict")
        )


def wait_until_someone_waits_for_a_lock(engine) -> None:
    """On PostgreSQL, block until another connection waits on a lock (SQLite writers just queue)."""
    if engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(400):
        with engine.connect() as connection:  # a new transaction each time: the view is snapshotted
            if connection.execute(query).scalar():
                return
        time_module.sleep(0.025)
    pytest.fail("the second decider never waited for the first")


def test_decider_racing_an_unfinished_decision_learns_who_won(engine, country, book):
    """The second submit lands while the first decision is written but not yet committed."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        with write_session(engine) as session:
            gate_decisions.record_decision(
                session,
                code=country,
                outcome="go",
                by="anna@rollout.example",
                rationale="Enough signal",
                on=DAY_30,
                expected_count=0,
                playbook=book,
            )
            second = pool.submit(
                decide, engine, book, country, "go", DAY_30, by="bert@rollout.example", expected_count=0
            )
            wait_until_someone_waits_for_a_lock(engine)
        with pytest.raises(Conflict, match="anna@rollout.example recorded 'go' on 2026-01-31"):
            second.result(timeout=30)
    assert [d.decided_by for d in stored_decisions(engine)] == ["anna@rollout.example"]
