"""Playbook steps counted backward in a market's working days, over dates typed from their sources.

Sources of the dates below:
- Spain's August: the "August holidays" quiet period of rollout/data/events.toml (1-31 August), and
  Assumption Day, 15 August (Resolución de la Dirección General de Trabajo, fiestas laborales 2026, BOE).
- Saudi Arabia's Friday-Saturday weekend: Council of Ministers decision of June 2013 moving the weekend to
  Friday and Saturday (python-holidays' SA weekend is {Friday, Saturday}).
- Catalonia's Sant Joan, Wednesday 24 June 2026: Generalitat de Catalunya, official calendar of public
  holidays for 2026 (a regional holiday, not a national one).
"""

from __future__ import annotations

from datetime import date

import pytest

from rollout.marketing.campaign_playbooks import load_campaign_playbooks
from rollout.marketing.campaign_tasks import preview_plan
from rollout.marketing.working_days import count_working_days, market_calendar
from rollout.platform.db import read_session
from tests.factories import add


@pytest.fixture
def webinar():
    return load_campaign_playbooks().get("webinar")


def due_days(engine, code, webinar, day, subdivision=None):
    with read_session(engine) as session:
        planned = preview_plan(session, code=code, playbook=webinar, day=day, subdivision=subdivision)
    return {p.step.key: p.due for p in planned}


def test_spains_august_pushes_the_invitation_back_into_july(engine, webinar):
    add(engine, "ES", date(2026, 1, 5))
    due = due_days(engine, "ES", webinar, date(2026, 9, 7))  # a Monday, the first week back
    assert due["rehearsal"].day == date(2026, 9, 4)  # Friday
    assert due["reminder"].day == date(2026, 9, 3)
    assert due["invitation"].day == date(2026, 7, 24)  # 4 working days in September, 6 in July
    assert due["landing_page"].day == date(2026, 7, 17)
    assert due["topic_speaker"].day == date(2026, 7, 10)
    assert due["live"].day == date(2026, 9, 7)
    assert due["replay"].day == date(2026, 9, 8)
    invitation = due["invitation"]
    assert invitation.moved_days == 31  # the weekend alone would have put it on Monday 24 August
    assert "moved 31 day(s) earlier" in invitation.why
    assert "August holidays (2026-08-01 to 2026-08-31)" in invitation.why
    assert "Assumption Day (2026-08-15)" in invitation.why
    assert due["reminder"].why == ""  # weekends are the working week, not a move


def test_a_friday_saturday_weekend_is_skipped_and_sunday_is_worked(engine, webinar):
    add(engine, "SA", date(2026, 1, 5))
    add(engine, "ES", date(2026, 1, 5))
    saudi = due_days(engine, "SA", webinar, date(2026, 10, 18))  # a Sunday: a working day in Riyadh
    assert saudi["rehearsal"].day == date(2026, 10, 15)  # Thursday, before Friday and Saturday
    assert saudi["reminder"].day == date(2026, 10, 14)
    assert saudi["replay"].day == date(2026, 10, 19)
    spain = due_days(engine, "ES", webinar, date(2026, 10, 19))  # a Monday in Madrid
    assert spain["rehearsal"].day == date(2026, 10, 16)  # Friday
    with read_session(engine) as session:
        riyadh = market_calendar(session, "SA", date(2026, 10, 18))
    assert riyadh.is_working(date(2026, 10, 18)) and not riyadh.is_working(date(2026, 10, 16))


def test_a_regional_holiday_moves_a_step_in_that_region_only(engine, webinar):
    add(engine, "ES", date(2026, 1, 5))
    catalonia = due_days(engine, "ES", webinar, date(2026, 6, 25), subdivision="CT")  # a Thursday
    assert catalonia["rehearsal"].day == date(2026, 6, 23)
    assert catalonia["rehearsal"].why == "moved 1 day(s) earlier, past Saint John the Baptist (2026-06-24)"
    spain = due_days(engine, "ES", webinar, date(2026, 6, 25))
    assert spain["rehearsal"].day == date(2026, 6, 24) and spain["rehearsal"].why == ""


def test_a_national_holiday_moves_a_step_earlier_and_says_so(engine, webinar):
    add(engine, "ES", date(2026, 1, 5))
    # Wednesday 9 December 2026: the day before is the Immaculate Conception, a national holiday. (Monday 7,
    # in lieu of Constitution Day on a Sunday, is a holiday only in the regions that chose it, e.g. Madrid.)
    due = due_days(engine, "ES", webinar, date(2026, 12, 9))
    assert due["rehearsal"].day == date(2026, 12, 7)
    assert due["rehearsal"].why == "moved 1 day(s) earlier, past Immaculate Conception (2026-12-08)"
    madrid = due_days(engine, "ES", webinar, date(2026, 12, 9), subdivision="MD")
    assert madrid["rehearsal"].day == date(2026, 12, 4)
    assert madrid["rehearsal"].moved_days == 4  # calendar days: from Tuesday 8 back to Friday 4


def test_the_christmas_lull_blocks_madrid_but_not_dubai_or_mumbai(engine):
    for code in ("ES", "AE", "IN"):
        add(engine, code, date(2026, 1, 5))
    with read_session(engine) as session:
        calendars = {code: market_calendar(session, code, date(2026, 12, 1)) for code in ("ES", "AE", "IN")}
    tuesday = date(2026, 12, 29)
    assert "Christmas-New Year lull" in calendars["ES"].reasons(tuesday)
    assert calendars["AE"].is_working(tuesday) and calendars["IN"].is_working(tuesday)


def test_after_the_campaign_steps_count_forward(engine):
    add(engine, "ES", date(2026, 1, 5))
    with read_session(engine) as session:
        calendar = market_calendar(session, "ES", date(2026, 12, 4))
    # Monday 7 December: +1 skips the Immaculate Conception on Tuesday.
    after = count_working_days(calendar, date(2026, 12, 7), 1)
    assert after.day == date(2026, 12, 9)
    assert after.why == "moved 1 day(s) later, past Immaculate Conception (2026-12-08)"
    assert count_working_days(calendar, date(2026, 12, 4), 1).day == date(2026, 12, 7)  # over the weekend
    assert count_working_days(calendar, date(2026, 12, 8), 0).day == date(2026, 12, 8)  # the day itself
