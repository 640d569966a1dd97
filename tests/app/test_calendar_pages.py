"""AppTest of the marketing pages on the demo: planning a campaign with its warnings, the calendar views."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import Campaign, LocalEvent
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
    at = open_page(demo_app, "app_pages/local_calendar.py", "BR")
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


def test_a_planned_campaign_is_listed_with_its_conflicts_and_can_be_cancelled(demo_app, url):
    today = date.today()
    holiday = date(today.year, 12, 8)  # Immaculate Conception, within the year the list shows
    holiday = holiday if holiday > today else date(today.year + 1, 12, 8)
    at = open_page(demo_app, "app_pages/campaigns.py", "ES")
    assert not any("fit" in d.value.columns for d in at.dataframe)  # only the chosen tab runs
    at.text_input(key="campaign_name_ES").input("Webinar: fin de año")
    at.date_input(key="campaign_day_ES").set_value(holiday)
    next(b for b in at.button if b.label == "Plan campaign").click().run()
    assert_clean(at)
    listed = next(d.value for d in at.dataframe if "conflicts" in d.value.columns).set_index("name")
    assert "Immaculate Conception" in listed.loc["Webinar: fin de año", "conflicts"]
    with read_session(get_engine(url)) as session:
        planned = session.exec(select(Campaign).where(Campaign.name == "Webinar: fin de año")).one()
    at.selectbox(key="cancel_choice_ES").set_value(planned.id)
    next(b for b in at.button if b.label == "Cancel campaign").click().run()
    assert_clean(at)
    # It asks first, naming the campaign and the market; nothing is cancelled until confirmed.
    assert any("'Webinar: fin de año' is taken off Spain's plan" in shown(w.value) for w in at.warning)
    with read_session(get_engine(url)) as session:
        assert not session.get(Campaign, planned.id).cancelled
    at.button(key="confirm_yes").click().run()
    assert_clean(at)
    listed = next(d.value for d in at.dataframe if "conflicts" in d.value.columns)
    assert "Webinar: fin de año" not in listed["name"].tolist()
    with read_session(get_engine(url)) as session:
        assert session.get(Campaign, planned.id).cancelled

    at.session_state["campaigns_view"] = "Suggest dates"
    at.run()
    assert_clean(at)
    assert any("fit" in d.value.columns for d in at.dataframe)


SAO_PAULO = "Brazil (Sao Paulo) Time · America/Sao_Paulo"


def test_brazils_campaign_form_defaults_to_and_names_the_main_zone(demo_app, url):
    at = open_page(demo_app, "app_pages/campaigns.py", "BR")
    zone = at.selectbox(key="campaign_zone_BR")
    assert zone.value == "America/Sao_Paulo"  # not tzdata's first, America/Noronha
    assert SAO_PAULO in zone.options and "Brazil (Fernando de Noronha) Time · America/Noronha" in zone.options
    at.text_input(key="campaign_name_BR").input("Webinar: vendas 2027")
    at.date_input(key="campaign_day_BR").set_value(date(2027, 3, 3))
    at.time_input(key="campaign_time_BR").set_value(time(10, 0))
    next(b for b in at.button if b.label == "Plan campaign").click().run()
    assert_clean(at)
    assert any(f"({SAO_PAULO})" in shown(s.value) for s in at.success)
    with read_session(get_engine(url)) as session:
        planned = session.exec(select(Campaign).where(Campaign.name == "Webinar: vendas 2027")).one()
    assert planned.time_zone == "America/Sao_Paulo"
    assert f"{planned.starts_at:%H:%M}" == "13:00"  # 10:00 in São Paulo (UTC−3), not 12:00 as in Noronha

    at.session_state["campaigns_view"] = "Suggest dates"
    at.run()
    assert_clean(at)
    assert at.time_input(key="suggest_time_BR").label == f"Local time ({SAO_PAULO})"
    assert any(f"local ({SAO_PAULO})" in d.value.columns for d in at.dataframe)


def agenda_shown(at):
    return next(d.value for d in at.dataframe if {"what", "local name"} <= set(d.value.columns))


def test_the_agenda_follows_the_chosen_month_and_searches_two_years(demo_app):
    at = open_page(demo_app, "app_pages/local_calendar.py", "IN")
    at.date_input(key="calendar_month").set_value(date(2027, 10, 1))
    at.selectbox(key="agenda_length").set_value(30).run()
    assert_clean(at)
    assert any("From 2027-10-01, 30 days" in c.value for c in at.caption)
    shown = " ".join(agenda_shown(at)["what"])
    assert "Diwali" in shown and "Christmas" not in shown  # 29 October 2027 in, 25 December out
    at.text_input(key="agenda_search").input("diwali").run()
    assert_clean(at)
    found = agenda_shown(at)
    assert len(found) >= 2 and all(
        "Diwali" in w for w in found["what"]
    )  # 2027's and 2028's, holiday and event
    assert any("2027" in str(start) for start in found["start"])
