"""Adding countries with facts prefilled from CLDR and tzdata, and editing those facts."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.platform.countries import (
    add_country,
    display_name,
    get_country,
    list_countries,
    set_weekend,
    update_facts,
)
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locales import country_name, locale_name, region_name
from rollout.platform.models import Country, CountryFacts
from tests.conftest import ACTOR
from tests.factories import add, count

START = date(2026, 1, 10)


def get(engine, code: str) -> Country:
    with read_session(engine) as session:
        country = get_country(session, code)
        session.expunge(country)
    return country


def edit(engine, code: str, **changes) -> Country:
    """Update the country's facts with `changes` (model_copy skips pydantic: update_facts must check)."""
    current = get(engine, code).model_dump(include=set(CountryFacts.model_fields))
    facts = CountryFacts.model_validate(current).model_copy(update=changes)
    with write_session(engine) as session:
        country = update_facts(session, code=code, facts=facts, by="editor@rollout.example")
        session.expunge(country)
    return country


def test_india_facts_come_from_cldr_and_tzdata(engine):
    add(engine, "IN", START)
    india = get(engine, "IN")
    assert india.languages == ["hi", "en"]
    assert india.currency == "INR"
    assert india.time_zones == ["Asia/Kolkata"]
    assert india.first_week_day == 6  # Sunday
    assert (india.start_date, india.created_by, india.display_name) == (START, ACTOR, None)
    assert india.created_at.tzinfo is not None


def test_spain_has_all_its_time_zones(engine):
    add(engine, "ES", START)
    spain = get(engine, "ES")
    assert {"Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary"} <= set(spain.time_zones)
    assert (spain.currency, spain.first_week_day) == ("EUR", 0)
    assert "es" in spain.languages


def test_switzerland_pays_in_francs_and_speaks_three_languages(engine):
    add(engine, "CH", START)
    switzerland = get(engine, "CH")
    assert switzerland.currency == "CHF"
    assert {"de", "fr", "it"} <= set(switzerland.languages)


def test_lowercase_code_is_accepted(engine):
    with write_session(engine) as session:
        country = add_country(session, code=" jp ", start_date=START, by=ACTOR)
        assert country.code == "JP"
    assert get(engine, "jp").currency == "JPY"


@pytest.mark.parametrize("code", ["XX", "ESP", "", "E1"])
def test_unknown_code_is_refused(engine, code):
    with pytest.raises(RolloutError, match=f"'{code}' is not an ISO 3166-1 alpha-2 country code"):
        add(engine, code, START)
    assert count(engine, Country) == 0


def test_adding_twice_is_refused_and_keeps_the_first(engine):
    add(engine, "ES", START, by="first@rollout.example")
    with pytest.raises(RolloutError, match=r"ES \(Spain\) is already in the rollout"):
        add(engine, "es", date(2026, 5, 1), by="second@rollout.example")
    spain = get(engine, "ES")
    assert (spain.start_date, spain.created_by) == (START, "first@rollout.example")
    assert count(engine, Country) == 1


def test_adding_needs_an_email(engine):
    with pytest.raises(RolloutError, match="not an email address"):
        add(engine, "ES", START, by="me")
    assert count(engine, Country) == 0


def test_unknown_country_is_not_found(engine):
    with (
        read_session(engine) as session,
        pytest.raises(NotFound, match=r"FR \(France\) is not in the rollout"),
    ):
        get_country(session, "FR")


def test_countries_are_listed_by_start_date_then_code(engine):
    add(engine, "IT", date(2026, 3, 1))
    add(engine, "ES", date(2026, 3, 1))
    add(engine, "DE", date(2026, 1, 1))
    with read_session(engine) as session:
        assert [c.code for c in list_countries(session)] == ["DE", "ES", "IT"]


def test_update_facts_saves_valid_facts_and_who_changed_them(engine):
    add(engine, "CH", START)
    edit(engine, "CH", languages=["de", "fr"], currency="EUR", time_zones=["Europe/Zurich"], first_week_day=6)
    switzerland = get(engine, "CH")
    assert (switzerland.languages, switzerland.currency, switzerland.first_week_day) == (
        ["de", "fr"],
        "EUR",
        6,
    )
    assert switzerland.updated_by == "editor@rollout.example"
    assert switzerland.updated_at is not None
    assert switzerland.start_date == START  # not a fact: untouched


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"currency": "EUX"}, "currency: 'EUX' is not an ISO 4217 currency code"),
        ({"currency": ""}, "currency: none is known for this country"),
        ({"currency": "XYZ"}, "currency: 'XYZ' is not an ISO 4217 currency code"),
        ({"time_zones": ["Europe/Madrid", "Mars/Olympus"]}, "time zones: Mars/Olympus not in the IANA"),
        ({"languages": ["es", "klingon"]}, "languages: klingon not known to CLDR"),
        ({"first_week_day": 7}, "first day of the week: must be 0 (Monday) to 6 (Sunday)"),
        ({"first_week_day": -1}, "first day of the week: must be 0 (Monday) to 6 (Sunday)"),
    ],
)
def test_update_facts_refuses_invalid_facts_and_changes_nothing(engine, change, message):
    add(engine, "ES", START)
    before = get(engine, "ES")
    with pytest.raises(RolloutError) as error:
        edit(engine, "ES", **change)
    assert message in str(error.value)
    after = get(engine, "ES")
    assert after.model_dump() == before.model_dump()


def test_display_name_override(engine):
    add(engine, "GB", START)
    assert display_name(get(engine, "GB")) == "United Kingdom"
    edit(engine, "GB", display_name="UK & Ireland")
    assert display_name(get(engine, "GB")) == "UK & Ireland"
    assert display_name(get(engine, "GB"), "fr") == "UK & Ireland"


def test_blank_display_name_falls_back_to_cldr(engine):
    add(engine, "GB", START)
    edit(engine, "GB", display_name="   ")
    gb = get(engine, "GB")
    assert gb.display_name is None
    assert display_name(gb, "de") == "Vereinigtes Königreich"


@pytest.mark.parametrize(
    ("code", "locale", "name"),
    [("IN", "fr", "Inde"), ("IN", "en", "India"), ("DE", "de", "Deutschland"), ("ES", None, "Spain")],
)
def test_country_names_in_the_viewers_language(code, locale, name):
    assert country_name(code, locale) == name


def test_unknown_viewer_locale_falls_back_to_english():
    assert country_name("IN", "zz-not-a-locale") == "India"


def test_update_facts_given_some_fields_writes_only_those(engine):
    add(engine, "IN", START)
    with write_session(engine) as session:
        set_weekend(session, code="IN", days=[6], by=ACTOR)
    before = get(engine, "IN")
    with write_session(engine) as session:
        update_facts(session, code="IN", facts={"currency": "USD"}, by="editor@rollout.example")
    after = get(engine, "IN")
    assert after.currency == "USD"
    kept = ("display_name", "languages", "time_zones", "first_week_day", "weekend_override")
    assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]


def test_update_facts_refuses_a_field_that_is_not_a_fact(engine):
    add(engine, "IN", START)
    with (
        write_session(engine) as session,
        pytest.raises(RolloutError, match="start_date: not a country fact"),
    ):
        update_facts(session, code="IN", facts={"start_date": START}, by="editor@rollout.example")


def test_locales_and_regions_are_named_for_people():
    assert locale_name("hi_IN") == "Hindi (India)"
    assert locale_name("pt_BR", "fr") == "Portugais (Brésil)"
    assert region_name("IN", "KA") == "Karnataka"
    assert region_name("DE", "BY") == "Bayern"
