"""Public holidays, the working week and language fallbacks, checked against officially published dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rollout.marketing.calendar_views import SEARCH_DAYS, agenda_start, matching
from rollout.marketing.campaigns import add_local_event
from rollout.marketing.local_calendar import (
    calendar_entries,
    calendars,
    holiday_language,
    public_holidays,
    weekend_days,
)
from rollout.platform.countries import set_weekend
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.models import Country
from tests.conftest import ACTOR
from tests.factories import add


def days(entries, category="public"):
    return {e.start for e in entries if e.category == category}


def test_spain_2026_national_holidays():
    # BOE, Resolución de la Dirección General de Trabajo por la que se publica la relación de fiestas
    # laborales para el año 2026 (national holidays common to every region).
    national = public_holidays("ES", date(2026, 1, 1), date(2026, 12, 31))
    assert {
        date(2026, 1, 1),
        date(2026, 1, 6),
        date(2026, 4, 3),
        date(2026, 5, 1),
        date(2026, 8, 15),
        date(2026, 10, 12),
        date(2026, 12, 8),
        date(2026, 12, 25),
    } <= days(national)


def test_regional_holidays_come_with_the_subdivision():
    # Generalitat de Catalunya, calendari de festes laborals 2026: Sant Joan (24 June), Sant Esteve (26 Dec).
    national = days(public_holidays("ES", date(2026, 1, 1), date(2026, 12, 31)))
    catalonia = days(public_holidays("ES", date(2026, 1, 1), date(2026, 12, 31), subdiv="CT"))
    assert {date(2026, 6, 24), date(2026, 12, 26)} <= catalonia - national
    # Bavaria: Epiphany and Corpus Christi (Easter Sunday 5 April 2026 + 60 days = 4 June).
    bavaria = days(public_holidays("DE", date(2026, 1, 1), date(2026, 12, 31), subdiv="BY"))
    assert {date(2026, 1, 6), date(2026, 6, 4), date(2026, 10, 3)} <= bavaria


def test_japan_2026_including_the_equinox_and_the_substitute_holiday():
    # Cabinet Office of Japan, 国民の祝日 2026: Vernal Equinox Day 20 March (NAOJ almanac);
    # Constitution Day falls on Sunday 3 May, so 6 May is a substitute holiday.
    japan = days(public_holidays("JP", date(2026, 1, 1), date(2026, 12, 31)))
    assert {
        date(2026, 1, 12),
        date(2026, 2, 11),
        date(2026, 2, 23),
        date(2026, 3, 20),
        date(2026, 4, 29),
        date(2026, 5, 3),
        date(2026, 5, 4),
        date(2026, 5, 5),
        date(2026, 5, 6),
    } <= japan


def test_india_gazetted_national_days():
    # Government of India, Ministry of Personnel: Republic Day, Independence Day, Gandhi Jayanti.
    india = days(public_holidays("IN", date(2026, 1, 1), date(2026, 12, 31)))
    assert {date(2026, 1, 26), date(2026, 8, 15), date(2026, 10, 2)} <= india


def test_names_in_the_countrys_language_and_the_viewers():
    [new_year] = [e for e in public_holidays("ES", date(2026, 1, 1), date(2026, 1, 1), locale="en")]
    assert (new_year.local_name, new_year.name, new_year.note) == ("Año Nuevo", "New Year's Day", "")
    [in_french] = public_holidays("ES", date(2026, 1, 1), date(2026, 1, 1), locale="fr")
    assert in_french.name == "Año Nuevo" or in_french.note  # Spanish holidays have no French names: said so


def test_a_missing_language_falls_back_to_english_visibly():
    assert holiday_language("JP", "fr") is None
    [new_year] = [
        e
        for e in public_holidays("JP", date(2026, 1, 1), date(2026, 1, 1), locale="fr")
        if e.category == "public"
    ]
    assert new_year.name == "New Year's Day" and "English" in new_year.note
    assert new_year.local_name == "元日"
    assert holiday_language("ES", "en") in ("en_US", "en")


def test_optional_categories_come_labelled():
    # India's restricted (optional) holidays sit beside the gazetted ones, in their own category.
    india = public_holidays("IN", date(2026, 1, 1), date(2026, 12, 31))
    assert {"public", "optional"} <= {e.category for e in india}
    assert all(not e.blocks for e in india if e.category == "optional")  # optional days do not block


@pytest.mark.parametrize(
    ("code", "weekend"), [("AE", {5, 6}), ("SA", {4, 5}), ("IL", {4, 5}), ("ES", {5, 6})]
)
def test_the_working_week_follows_python_holidays(engine, code, weekend):
    add(engine, code, date(2026, 1, 5))
    with read_session(engine) as session:
        assert weekend_days(session.get(Country, code)) == weekend


def test_the_weekend_can_be_overridden_per_country(engine):
    add(engine, "IN", date(2026, 1, 5))
    with write_session(engine) as session:
        set_weekend(session, code="IN", days=[6], by="marketer@rollout.example")
    with read_session(engine) as session:
        assert weekend_days(session.get(Country, "IN")) == {6}
    with pytest.raises(RolloutError, match="at most three"), write_session(engine) as session:
        set_weekend(session, code="IN", days=[0, 1, 2, 3], by="marketer@rollout.example")
    with read_session(engine) as session:
        assert weekend_days(session.get(Country, "IN")) == {6}  # unchanged


def test_calendar_entries_combine_holidays_and_events_for_the_country(engine):
    add(engine, "US", date(2026, 1, 5))
    with read_session(engine) as session:
        entries = calendar_entries(session, "US", date(2026, 11, 20), date(2026, 12, 1))
    names = {(e.start, e.kind) for e in entries}
    assert (date(2026, 11, 26), "holiday") in names  # Thanksgiving, fourth Thursday of November
    assert (date(2026, 11, 27), "event") in names  # Black Friday


def test_calendars_of_several_countries_each_hold_their_own_entries(engine):
    add(engine, "ES", date(2026, 1, 5))
    add(engine, "JP", date(2026, 1, 5))
    start, end, include = date(2026, 12, 1), date(2026, 12, 31), ("holidays", "events")
    with write_session(engine) as session:
        closing = dict(name="Year-end closing", kind="quiet", start=date(2026, 12, 28), end=date(2027, 1, 4))
        add_local_event(session, code="JP", by=ACTOR, **closing)
        # Read in the writing session, before its commit: the new event is there.
        found = calendars(session, ["jp", "ES"], start, end, include=include)
    assert list(found) == ["JP", "ES"]  # normalized, in the order asked
    with read_session(engine) as session:
        for code, entries in found.items():
            assert entries == calendar_entries(session, code, start, end, include=include)
            assert {e.country for e in entries} == {code}
            assert entries == sorted(entries, key=lambda e: e.start)
    assert ("Year-end closing", "local_event") in {(e.name, e.kind) for e in found["JP"]}
    assert date(2026, 12, 8) in {e.start for e in found["ES"] if e.kind == "holiday"}  # Inmaculada
    assert "Year-end closing" not in {e.name for e in found["ES"]}


def test_calendars_name_the_country_or_region_they_refuse(engine):
    add(engine, "ES", date(2026, 1, 5))
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    with read_session(engine) as session:
        with pytest.raises(NotFound, match=r"FR \(France\) is not in the rollout yet"):
            calendars(session, ["ES", "FR"], start, end)
        with pytest.raises(RolloutError, match="'XX' is not a subdivision of ES"):
            calendars(session, ["ES"], start, end, subdivs={"ES": "XX"})
        with pytest.raises(RolloutError, match="not an ISO 3166-1"):
            calendars(session, ["ES", "Spain"], start, end)


def test_an_agenda_starts_today_in_this_month_and_on_the_first_of_another():
    assert agenda_start(date(2026, 12, 1), date(2026, 12, 3)) == date(2026, 12, 3)
    assert agenda_start(date(2027, 11, 1), date(2026, 12, 3)) == date(2027, 11, 1)


def test_searching_the_next_two_years_finds_diwali_2027(engine):
    add(engine, "IN", date(2026, 1, 5))
    with read_session(engine) as session:
        entries = calendar_entries(
            session, "IN", date(2026, 12, 3), date(2026, 12, 3) + timedelta(days=SEARCH_DAYS)
        )
    found = matching(entries, "diwali")
    # Diwali 2027 falls on 29 October (Government of India's holiday list; python-holidays' Hindu table).
    assert date(2027, 10, 29) in {e.start for e in found}
    assert all("diwali" in (e.name + e.local_name + e.note).casefold() for e in found)
    assert matching(entries, "  ") == []
