"""The leadership tables built from the demo: portfolio rows, upcoming gates, timeline bars, decision log."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from rollout.demo import load_demo
from rollout.gates import status as gates
from rollout.gates.portfolio import (
    ON_HOLD,
    decisions_frame,
    filter_decisions,
    portfolio_frame,
    summary,
    tile_rows,
    timeline_frame,
    timeline_markers,
    upcoming_gates,
    upcoming_lines,
)
from rollout.platform.countries import list_countries
from rollout.platform.db import read_session
from tests.conftest import TODAY


def unexplained(criteria):
    return tuple(replace(c, why="", rows=()) for c in criteria)


@pytest.fixture
def tables(engine, playbook):
    load_demo(engine, by="demo@rollout.example", today=TODAY, playbook=playbook)
    with read_session(engine) as session:
        countries = {country.code: country for country in list_countries(session)}
        statuses, timelines = gates.portfolio_with_timelines(session, today=TODAY, playbook=playbook)
        log = gates.decisions(session)
    return {
        "portfolio": portfolio_frame(statuses, countries, playbook, "fr").set_index("code"),
        "timeline": timeline_frame(timelines, countries, playbook, "en", TODAY),
        "decisions": decisions_frame(log, countries, playbook, "en"),
        "markers": timeline_markers(timelines, countries, "en"),
    }


def test_portfolio_rows_speak_the_viewers_language(tables):
    frame = tables["portfolio"]
    assert frame.loc["IN", "country"] == "Inde"
    assert frame.loc["DE", "country"] == "Allemagne"
    assert frame.loc["JP", "status"] == ON_HOLD
    assert frame.loc["BR", "criteria_met"] in {f"{met}/4" for met in range(4)}  # memo not ticked yet
    assert frame.loc["BR", "not_measured"] == 0  # the sales metrics are measured
    assert frame.loc["IN", "not_measured"] == 0  # the marketing-launch metrics are measured too
    assert frame.loc["BR", "days_in_phase"] == 45
    assert frame.loc["BR", "days_to_gate"] == (TODAY.replace(year=2027, month=1, day=12) - TODAY).days
    assert frame.loc["AE", "phase"] == "Exited" and frame.loc["ES", "phase"] == "Established"
    assert frame.loc["AE", "criteria_met"] == "" and frame.loc["AE", "gate_due"] is None


def test_upcoming_gates_list_holds_after_the_due_gates_and_leave_out_finished_markets(tables):
    frame = tables["portfolio"].reset_index()
    within_30 = upcoming_gates(frame, 30)
    # Japan's gate is on hold: its clock is stopped, but resuming it is a decision too.
    assert list(within_30["code"]) == ["IN", "JP"]
    assert list(upcoming_gates(frame, 60)["code"]) == ["IN", "IT", "GB", "DE", "BR", "JP"]
    assert upcoming_gates(frame, 90)["days_to_gate"].dropna().is_monotonic_increasing
    lines = dict(upcoming_lines(within_30))
    assert "on hold for" in lines["JP"] and "due in" in lines["IN"]


def test_the_portfolio_is_in_attention_order(tables):
    frame = tables["portfolio"].reset_index().sort_values("attention")
    order = list(frame["code"])
    assert order[0] == "IN"  # the only gate due within 30 days
    later = frame[(frame["days_to_gate"] > 30) & (frame["health"] != "off_track")]
    assert not later.empty and all(order.index("JP") < order.index(code) for code in later["code"])
    off_far = frame[(frame["days_to_gate"] > 30) & (frame["health"] == "off_track")]
    assert all(order.index(code) < order.index("JP") for code in off_far["code"])
    assert set(order[-2:]) == {"AE", "ES"}  # no gate left: last
    assert set(frame["health"].dropna()) <= {"on_track", "at_risk", "off_track", "on_hold", "too_early"}
    assert frame.set_index("code").loc["JP", "health"] == "on_hold"


def test_tiles_filter_the_countries(tables):
    frame = tables["portfolio"].reset_index()
    assert list(tile_rows(frame, "on_hold")["code"]) == ["JP"]
    assert list(tile_rows(frame, "due_in_30_days")["code"]) == ["IN"]
    off = tile_rows(frame, "off_track")
    assert (off["health"] == "off_track").all() and len(off) == summary(frame)["off_track"]


def test_timeline_has_the_plan_the_actual_and_the_holds(tables):
    frame = tables["timeline"]
    india = frame[frame["code"] == "IN"]
    assert list(india[india["kind"] == "plan"]["phase"]) == [
        "Sales test",
        "First signings",
        "Minimal marketing launch",
        "Local talent",
    ]
    hold = india[india["phase"] == ON_HOLD].iloc[0]
    assert (hold["start"], hold["end"]) == (TODAY - timedelta(days=230), TODAY - timedelta(days=100))
    japan_hold = frame[(frame["code"] == "JP") & (frame["phase"] == ON_HOLD)].iloc[0]
    assert japan_hold["end"] == TODAY  # an open hold runs until today


def test_timeline_marks_every_decision_and_open_gates_due_dates(tables):
    markers = tables["markers"]
    india = markers[markers["code"] == "IN"]
    assert list(india["marker"]) == ["Go", "Extend", "Go", "Hold", "Extend", "Gate due"]
    assert india.iloc[3]["day"] == TODAY - timedelta(days=230)
    japan = markers[markers["code"] == "JP"]
    assert "Gate due" not in set(japan["marker"])  # on hold: no due date to show
    assert len(markers[markers["marker"] != "Gate due"]) == 20  # every demo decision


def test_summary_counts_by_state_not_by_label(tables):
    counts = summary(tables["portfolio"].reset_index())
    assert counts["in_progress"] == 6 and counts["on_hold"] == 1
    assert counts["due_in_30_days"] == 1


def test_filtering_the_decision_log(tables):
    log = tables["decisions"]
    stops = filter_decisions(log, outcomes=["Stop"])
    assert list(stops["code"]) == ["AE"]
    spain_and_italy = filter_decisions(log, codes=["ES", "IT"])
    assert set(spain_and_italy["code"]) == {"ES", "IT"} and len(spain_and_italy) == 8
    window = (TODAY - timedelta(days=240), TODAY - timedelta(days=150))
    in_window = filter_decisions(log, period=window)
    assert in_window["decided_on"].between(*window).all() and len(in_window) == 6  # ES IN IT DE DE AE
    assert len(filter_decisions(log)) == len(log)


def test_decision_log_keeps_what_was_seen(tables):
    log = tables["decisions"]
    assert len(log) == 20
    stop = log[log["outcome"] == "Stop"].iloc[0]
    assert stop["code"] == "AE" and "No partner found" in stop["rationale"]
    assert stop["criteria_met"] != "0/4"  # the market memo had been ticked before the stop
    assert log["decided_on"].is_monotonic_decreasing


@pytest.mark.parametrize("windows_per_statement", [100, 2])
def test_portfolio_measures_every_gate_as_each_country_alone_does(
    engine, playbook, monkeypatch, windows_per_statement
):
    """The portfolio reads each metric for all countries at once (in statements of several windows); every
    country's numbers equal its own gate evaluated alone, metric by metric."""
    from rollout.sales import metrics as sales_metrics

    monkeypatch.setattr(sales_metrics, "WINDOWS_PER_STATEMENT", windows_per_statement)
    load_demo(engine, by="demo@rollout.example", today=TODAY, playbook=playbook)
    with read_session(engine) as session:
        together = gates.portfolio(session, today=TODAY, playbook=playbook)
        alone = [gates.gate_status(session, s.country, today=TODAY, playbook=playbook) for s in together]
    measured = [c for s in together for c in s.criteria if c.kind == "metric" and c.measured]
    assert len({c.key for c in measured}) >= 5  # sales, content, hiring and campaign metrics among them
    # One market's gate also says why each unmet criterion falls short; the portfolio does not explain.
    assert [s.criteria for s in together] == [unexplained(s.criteria) for s in alone]
    assert [(s.ready, s.forecast) for s in together] == [(s.ready, s.forecast) for s in alone]


def test_timelines_alone_are_those_the_portfolio_replays(engine, playbook):
    load_demo(engine, by="demo@rollout.example", today=TODAY, playbook=playbook)
    with read_session(engine) as session:
        alone = gates.all_timelines(session, today=TODAY, playbook=playbook)
        _, replayed = gates.portfolio_with_timelines(session, today=TODAY, playbook=playbook)
    assert alone == replayed and {t.state for t in alone.values()} >= {"exited", "established"}


def test_a_metric_two_criteria_read_is_counted_once(engine):
    """A phase may hold a target and a stretch target on the same metric: its window is asked for once."""
    from dataclasses import replace

    from tests.factories import add, make_playbook
    from tests.sales_factories import deal

    book = make_playbook(metric="opportunities_opened")
    pilot = book.phases[0]
    stretch = replace(pilot.criteria[0], key="stretch", threshold=30)
    book = replace(book, phases=(replace(pilot, criteria=(*pilot.criteria, stretch)), *book.phases[1:]))
    add(engine, "IN", TODAY - timedelta(days=20))
    for days_ago in (1, 5):
        deal(engine, "IN", created_on=TODAY - timedelta(days=days_ago))
    with read_session(engine) as session:
        (together,) = gates.portfolio(session, today=TODAY, playbook=book)
        alone = gates.gate_status(session, "IN", today=TODAY, playbook=book)
    values = {c.key: c.value for c in together.criteria if c.kind == "metric"}
    assert values == {"meetings": 2, "stretch": 2}
    assert together.criteria == unexplained(alone.criteria)
