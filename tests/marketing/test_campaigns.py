"""Planning campaigns: local time and DST, warnings, suggestions, the campaign gate metric."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rollout.gates.metrics import MetricWindow
from rollout.marketing.campaigns import (
    add_local_event,
    campaign_warnings,
    cancel_campaign,
    in_hq_time,
    plan_campaign,
    planned_with_conflicts,
    suggest_slots,
    timed_campaigns_next_quarter,
    to_utc,
)
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import Campaign, LocalEvent
from tests.factories import add, count

MARKETER = "marketer@rollout.example"


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 5))
    return "ES"


def quiet_event(engine, name: str, start: date, end: date) -> None:
    with write_session(engine) as session:
        add_local_event(session, code="ES", name=name, kind="quiet", start=start, end=end, by=MARKETER)


def plan(engine, code="ES", when=datetime(2026, 12, 1, 10, 0), **kwargs):
    kwargs.setdefault("name", "Webinar")
    kwargs.setdefault("channel", "webinar")
    with write_session(engine) as session:
        campaign, warnings = plan_campaign(session, code=code, local_start=when, by=MARKETER, **kwargs)
        return campaign.id, {w.kind for w in warnings}, [w.message for w in warnings]


def warn(engine, when, code="ES", **kwargs):
    with read_session(engine) as session:
        found = campaign_warnings(session, code=code, local_start=when, time_zone="Europe/Madrid", **kwargs)
    return {w.kind for w in found}, [w.message for w in found]


def test_local_time_is_stored_as_the_utc_instant(engine, spain):
    campaign_id, _, _ = plan(engine, when=datetime(2026, 12, 1, 10, 0))
    with read_session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
    assert campaign.starts_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Madrid is UTC+1 in winter
    assert campaign.time_zone == "Europe/Madrid"


def test_times_that_do_not_exist_or_happen_twice_are_refused():
    with pytest.raises(RolloutError, match="does not exist"):  # clocks go forward at 02:00 on 29 March 2026
        to_utc(datetime(2026, 3, 29, 2, 30), "Europe/Madrid")
    with pytest.raises(RolloutError, match="happens twice"):  # and back at 03:00 on 25 October 2026
        to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Madrid")


def test_a_webinar_in_india_seen_from_headquarters():
    instant = to_utc(datetime(2026, 12, 3, 15, 0), "Asia/Kolkata")  # UTC+5:30
    assert in_hq_time(instant).strftime("%H:%M %Z") == "10:30 CET"


def test_a_public_holiday_is_a_conflict(engine, spain):
    kinds, messages = warn(engine, datetime(2026, 12, 8, 10, 0))  # Immaculate Conception
    assert "holiday" in kinds and any("Immaculate Conception" in m for m in messages)


def test_a_weekend_is_a_conflict(engine, spain):
    kinds, _ = warn(engine, datetime(2026, 12, 5, 10, 0))  # a Saturday
    assert "weekend" in kinds


def test_a_quiet_period_is_a_conflict(engine, spain):
    kinds, messages = warn(engine, datetime(2026, 12, 29, 10, 0))  # Christmas–New Year lull, a Tuesday
    assert "holiday" in kinds  # quiet periods block like holidays
    assert any("Christmas" in m or "New Year" in m for m in messages)


def test_outside_business_hours_is_a_conflict(engine, spain):
    # Spain's offices keep a split day to 19:00 (rollout/data/local_habits.toml), not a fixed 09:00-18:00.
    assert "hours" in warn(engine, datetime(2026, 12, 1, 8, 0))[0]
    assert "hours" in warn(engine, datetime(2026, 12, 1, 18, 30), duration_minutes=60)[0]
    assert "hours" not in warn(engine, datetime(2026, 12, 1, 17, 30), duration_minutes=60)[0]
    kinds, messages = warn(engine, datetime(2026, 12, 1, 14, 30))
    assert "lunch" in kinds and "local lunch break (14:00–15:30)" in " ".join(messages)


def test_two_campaigns_too_close_in_one_market(engine, spain):
    plan(engine, when=datetime(2026, 12, 1, 10, 0), name="First")
    assert "too_close" not in warn(engine, datetime(2026, 12, 4, 10, 0))[0]  # three days apart is fine
    _, kinds, messages = plan(engine, when=datetime(2026, 12, 3, 10, 0), name="Second")
    assert "too_close" in kinds and any("'First'" in m for m in messages)


def test_an_upcoming_opportunity_is_pointed_out(engine):
    add(engine, "US", date(2026, 1, 5))
    with read_session(engine) as session:
        found = campaign_warnings(
            session, code="US", local_start=datetime(2026, 11, 17, 11, 0), time_zone="America/New_York"
        )
    assert any(w.kind == "opportunity" and "Black Friday" in w.message for w in found)
    assert all(not w.is_problem for w in found)


def test_suggestions_skip_blocked_days_and_prefer_midweek_hooks(engine, spain):
    plan(engine, when=datetime(2026, 12, 15, 10, 0), name="Existing")
    with read_session(engine) as session:
        slots = suggest_slots(
            session,
            code="ES",
            start=date(2026, 12, 1),
            end=date(2026, 12, 23),
            count=20,
            today=date(2026, 11, 26),
        )
    chosen = [slot.starts_at.date() for slot in slots]
    assert date(2026, 12, 8) not in chosen  # holiday
    assert date(2026, 12, 5) not in chosen  # weekend
    assert not {date(2026, 12, 13), date(2026, 12, 14), date(2026, 12, 16), date(2026, 12, 17)} & set(chosen)
    assert all(slot.starts_at.time() == time(10) and slot.reasons for slot in slots)
    assert slots == sorted(slots, key=lambda s: (-s.score, s.starts_at))
    assert slots[0].starts_at.weekday() in (1, 2, 3)


def test_bad_campaigns_are_refused_and_nothing_is_saved(engine, spain):
    for kwargs, message in [
        ({"name": " "}, "name: required"),
        ({"channel": "billboard"}, "channel"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
        ({"duration_minutes": 0}, "duration"),
        ({"locale": "xx_YY"}, "locale"),
        ({"subdivision": "ZZ"}, "region"),
    ]:
        with pytest.raises(RolloutError, match=message):
            plan(engine, **kwargs)
    assert count(engine, Campaign) == 0


def test_a_local_event_is_validated_and_then_blocks_or_hooks(engine, spain):
    with pytest.raises(RolloutError, match="before the start"), write_session(engine) as session:
        add_local_event(
            session,
            code="ES",
            name="Fair",
            kind="quiet",
            start=date(2026, 12, 2),
            end=date(2026, 12, 1),
            by=MARKETER,
        )
    quiet_event(engine, "Sector fair in Madrid", date(2026, 12, 1), date(2026, 12, 3))
    kinds, messages = warn(engine, datetime(2026, 12, 2, 10, 0))
    assert any("Sector fair in Madrid" in m for m in messages)


def test_the_campaign_metric_counts_timed_campaigns_of_the_next_quarter(engine, spain):
    plan(engine, when=datetime(2026, 12, 1, 10, 0), occasion="Reyes Magos", name="timed, in window")
    plan(engine, when=datetime(2026, 12, 10, 10, 0), name="untimed")
    cancelled, _, _ = plan(engine, when=datetime(2027, 1, 12, 10, 0), occasion="Epiphany", name="cancelled")
    plan(engine, when=datetime(2027, 4, 20, 10, 0), occasion="Easter", name="too far")
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=cancelled, by=MARKETER)
    window = MetricWindow("ES", date(2026, 9, 1), date(2026, 11, 26), date(2026, 12, 1))
    with read_session(engine) as session:
        assert timed_campaigns_next_quarter(session, window) == 1
        later = MetricWindow("ES", date(2026, 9, 1), date(2027, 2, 1), date(2027, 3, 1))
        assert timed_campaigns_next_quarter(session, later) == 1  # Easter, within 92 days of 1 February
    assert timedelta(days=92)  # the quarter the metric looks ahead


def test_suggestions_never_lie_in_the_past(engine, spain):
    with read_session(engine) as session:
        slots = suggest_slots(
            session,
            code="ES",
            start=date(2026, 11, 1),
            end=date(2026, 12, 4),
            count=30,
            today=date(2026, 11, 26),
        )
    assert slots and min(slot.starts_at.date() for slot in slots) >= date(2026, 11, 26)


def test_planning_the_same_campaign_twice_is_refused(engine, spain):
    plan(engine, when=datetime(2026, 12, 1, 10, 0), name="Webinar")
    with pytest.raises(RolloutError, match="already planned at that time"):
        plan(engine, when=datetime(2026, 12, 1, 10, 0), name="Webinar")
    assert count(engine, Campaign) == 1


def test_planned_campaigns_carry_the_same_warnings_as_each_checked_alone(engine, spain):
    quiet_event(engine, "Sector fair", date(2026, 12, 14), date(2026, 12, 16))
    plan(engine, when=datetime(2026, 12, 8, 10, 0), name="On a holiday")  # Inmaculada Concepción
    plan(engine, when=datetime(2026, 12, 9, 10, 0), name="Next day")  # too close to the one before
    plan(engine, when=datetime(2026, 12, 15, 19, 0), name="Late, in the fair")
    plan(engine, when=datetime(2027, 3, 19, 10, 0), name="San José, Valencia", subdivision="VC")
    plan(engine, when=datetime(2027, 3, 19, 11, 0), name="San José, Madrid")  # not a holiday there
    cancelled, _, _ = plan(engine, when=datetime(2026, 12, 10, 10, 0), name="Called off")
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=cancelled, by=MARKETER)
    with read_session(engine) as session:
        found = planned_with_conflicts(session, "es", date(2026, 12, 1), date(2027, 6, 30))
        alone = [
            campaign_warnings(
                session,
                code=c.country_code,
                local_start=c.starts_at.astimezone(ZoneInfo(c.time_zone)).replace(tzinfo=None),
                time_zone=c.time_zone,
                duration_minutes=c.duration_minutes,
                subdivision=c.subdivision,
                ignore_campaign=c.id,
            )
            for c, _ in found
        ]
    names = [c.name for c, _ in found]
    assert names == [
        "On a holiday",
        "Next day",
        "Late, in the fair",
        "San José, Valencia",
        "San José, Madrid",
    ]
    assert [w for _, w in found] == alone
    kinds = {c.name: {w.kind for w in warnings} for c, warnings in found}
    assert {"holiday", "too_close"} <= kinds["On a holiday"] and "too_close" in kinds["Next day"]
    assert {"holiday", "hours"} <= kinds["Late, in the fair"]  # the quiet fair blocks the day
    assert "holiday" in kinds["San José, Valencia"] and "holiday" not in kinds["San José, Madrid"]


def test_the_same_local_event_on_the_same_days_is_added_once(engine, spain):
    quiet_event(engine, "Feria de Abril", date(2026, 4, 21), date(2026, 4, 26))
    with pytest.raises(RolloutError, match="'Feria de Abril' is already in the calendar on those days"):
        quiet_event(engine, "Feria de Abril ", date(2026, 4, 21), date(2026, 4, 26))
    quiet_event(engine, "Feria de Abril", date(2027, 4, 13), date(2027, 4, 18))  # next year's is another
    assert count(engine, LocalEvent) == 2


def test_campaigns_and_suggestions_default_to_the_main_zone(engine):
    add(engine, "BR", date(2026, 1, 5))
    local = datetime(2026, 12, 1, 10, 0)
    with write_session(engine) as session:
        campaign, _ = plan_campaign(
            session, code="BR", name="Webinar", channel="webinar", local_start=local, by=MARKETER
        )
        assert campaign.time_zone == "America/Sao_Paulo"
        assert campaign.starts_at == local.replace(tzinfo=ZoneInfo("America/Sao_Paulo"))
        day = date(2026, 12, 8)
        slots = suggest_slots(
            session, code="BR", start=day, end=day + timedelta(days=6), local_time=time(10), today=day
        )
    assert slots and {slot.starts_at.tzinfo for slot in slots} == {ZoneInfo("America/Sao_Paulo")}
    assert {slot.starts_at.utcoffset() for slot in slots} == {timedelta(hours=-3)}
