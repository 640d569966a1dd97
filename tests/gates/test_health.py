"""Health: too early to tell while a phase has run too short a share of its time, on hold, and the
playbook rules behind it (min_share_to_project, [reviews])."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rollout.gates import status as gates
from rollout.gates.playbook import PlaybookError, parse_playbook
from rollout.gates.status import OFF_TRACK, ON_HOLD, TOO_EARLY
from tests.factories import (
    PILOT_METRIC,
    TEST_PLAYBOOK_TOML,
    UNREGISTERED_METRIC,
    add,
    decide,
    registered_metric,
    status,
)

START = date(2026, 1, 1)  # the Pilot gate is due 2026-04-01, 90 days later


def playbook_with(head: str = "", tail: str = ""):
    body = TEST_PLAYBOOK_TOML.format(
        threshold=15, months=3, metric=PILOT_METRIC, unregistered=UNREGISTERED_METRIC
    )
    return parse_playbook(head + body + tail, source="test-playbook.toml")


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [(0, TOO_EARLY), (17, TOO_EARLY), (18, OFF_TRACK), (45, OFF_TRACK)],
)
def test_a_pace_too_short_to_project_is_too_early(elapsed, expected):
    # 18 of 90 days is 20%: from there on a pace of 1 meeting in the phase projects far below 15.
    assert gates.metric_forecast(1, 15, elapsed, 90, 0.8, min_share=0.2)[0] == expected


def test_a_market_added_today_is_too_early_not_off_track(engine):
    book = playbook_with("min_share_to_project = 0.2\n")
    add(engine, "ES", START)
    with registered_metric(PILOT_METRIC, lambda session, window: 0.0):
        day_0, day_10, day_30 = (
            status(engine, book, "ES", day) for day in (START, date(2026, 1, 11), date(2026, 1, 31))
        )
    assert (day_0.forecast, day_0.health) == (TOO_EARLY, TOO_EARLY)
    assert day_10.health == TOO_EARLY
    assert day_30.health == OFF_TRACK  # a third of the time gone and nothing met
    assert next(c for c in day_0.criteria if c.kind == "metric").forecast == TOO_EARLY


def test_a_held_market_is_on_hold_and_the_json_says_so(engine):
    book = playbook_with()
    add(engine, "ES", START)
    decide(engine, book, "ES", "hold", date(2026, 2, 1))
    with registered_metric(PILOT_METRIC, lambda session, window: 20.0):
        held = status(engine, book, "ES", date(2026, 2, 10))
    assert held.health == ON_HOLD
    data = json.loads(json.dumps(held.as_dict()))
    assert data["health"] == "on_hold" and data["conditions"] == []


def test_no_health_before_the_start(engine):
    book = playbook_with()
    add(engine, "ES", START)
    assert status(engine, book, "ES", date(2025, 12, 1)).health is None


@pytest.mark.parametrize(
    ("head", "tail", "complaint"),
    [
        ("min_share_to_project = 1.5\n", "", "'min_share_to_project' must be a number from 0 to below 1"),
        ("", "[reviews]\nquorum = -1\n", "'quorum' must be a whole number ≥ 0"),
        ("", '[reviews]\nchair_roles = ["boss"]\n', "'chair_roles' must list one or more of"),
        ("", "[reviews]\nseats = 3\n", "seats"),
    ],
)
def test_bad_playbook_rules_are_refused_naming_the_key(head, tail, complaint):
    with pytest.raises(PlaybookError, match="test-playbook.toml") as refused:
        playbook_with(head, tail)
    assert complaint in str(refused.value)


def test_review_rules_are_read_from_the_playbook():
    book = playbook_with(tail='[reviews]\nchair_roles = ["leadership"]\nquorum = 2\n')
    assert book.reviews.chair_roles == ("leadership",) and book.reviews.quorum == 2
    assert playbook_with().reviews.quorum == 0
