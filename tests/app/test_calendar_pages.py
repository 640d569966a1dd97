"""AppTest of the marketing pages on the demo: planning a campaign with its warnings, the calendar views."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import select

from rollout.db import get_engine, read_session
from rollout.models import Campaign, LocalEvent
from tests.app.conftest import assert_clean, count, shown


def open_page(at, page: str, country: str):
    at = at.switch_page(page)
    at.query_params["country"] = country
    return at.run()


def test_planning_a_campaign_on_a_holiday_warns_and_saves(demo_app, url):
    at = open_page(demo_app, "app_pages/campaigns.py", "ES")
    before = count(url, Campaign)
    at.text_input(key="campaign_name_ES").input("Webinar: cierre de año")
    at.date_input(key="campaign_day_ES").set_value(date(2027, 12, 8))  # Immaculate Conception
    at.time_input(key="campaign_time_ES").set_value(time(10, 0))
    next(b for b in at.button if b.label == "Plan campaign").click().run()
    assert_clean(at)
    assert count(url, Campaign) == before + 1
    assert any("Immaculate Conception" in w.value for w in at.warning)


def test_checking_a_date_saves_nothing_and_shows_headquarters_time(demo_app, url):
    at = open_page(demo_app, "app_pages/campaigns.py", "IN")
    before = count(url, Campaign)
    at.date_input(key="campaign_day_IN").set_value(date(2027, 3, 3))  # a Wednesday
    at.time_input(key="campaign_time_IN").set_value(time(15, 0))
    next(b for b in at.button if b.label == "Check date").click().run()
    assert_clean(at)
    assert count(url, Campaign) == before
    assert any("10:30" in c.value and "headquarters" in c.value for c in at.caption)


def test_a_campaign_without_a_name_is_refused(demo_app, url):
    at = open_page(demo_app, "app_pages/campaigns.py", "DE")
    before = count(url, Campaign)
    next(b for b in at.button if b.label == "Plan campaign").click().run()
    assert any("name: required" in shown(e.value) for e in at.error)
    assert count(url, Campaign) == before


def test_calendar_views_render_and_a_local_event_can_be_added(demo_app, url):
    at = open_page(demo_app, "app_pages/calendar.py", "BR")
    assert_clean(at)
    at.date_input(key="calendar_month").set_value(date(2027, 6, 1)).run()
    assert any("Dia dos Namorados" in c.value for c in at.caption)  # 12 June, an opportunity in Brazil
    at.text_input(key="event_name_BR").input("Febraban Tech")
    at.date_input(key="event_span_BR").set_value((date(2027, 6, 22), date(2027, 6, 24)))
    next(b for b in at.button if b.label == "Add event").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        event = session.exec(select(LocalEvent)).one()
    assert (event.name, event.kind, event.start_date, event.end_date) == (
        "Febraban Tech",
        "opportunity",
        date(2027, 6, 22),
        date(2027, 6, 24),
    )
