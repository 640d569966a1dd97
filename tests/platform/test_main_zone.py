"""A country's main business zone: chosen by the rule, stored with the country, editable."""

from __future__ import annotations

import pytest

from rollout.platform import locales
from rollout.platform.errors import RolloutError
from tests.factories import add
from tests.platform.test_countries import START, edit, get

MAIN_ZONES = {
    "BR": "America/Sao_Paulo",
    "US": "America/New_York",
    "MX": "America/Mexico_City",
    "AU": "Australia/Sydney",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "ID": "Asia/Jakarta",
}


@pytest.mark.parametrize(("code", "zone"), MAIN_ZONES.items())
def test_main_zone_of_countries_with_several(code, zone):
    assert len(locales.time_zones(code)) > 1
    assert locales.main_time_zone(code) == zone


def test_a_one_zone_country_has_that_zone():
    assert locales.time_zones("IN") == ["Asia/Kolkata"]
    assert locales.main_time_zone("IN") == "Asia/Kolkata"


def test_a_country_without_zones_has_no_main_zone():
    assert locales.main_time_zone("BR", []) == ""


def test_each_override_is_needed_and_is_one_of_the_countrys_zones():
    """An override made redundant by tzdata's own order, or naming a renamed zone, fails here."""
    for code, zone in locales.MAIN_ZONE_OVERRIDES.items():
        zones = locales.time_zones(code)
        assert zone in zones and zones[0] != zone, code


def test_main_zone_among_chosen_zones_follows_tzdata_then_the_given_order():
    assert locales.main_time_zone("BR", ["America/Manaus", "America/Noronha"]) == "America/Noronha"
    assert locales.main_time_zone("BR", ["Europe/Lisbon", "America/Manaus"]) == "America/Manaus"
    assert locales.main_time_zone("ES", ["Europe/Lisbon"]) == "Europe/Lisbon"


def test_zone_label_names_the_place_in_the_viewers_language():
    assert locales.zone_label("America/Sao_Paulo", "en") == "Brazil (Sao Paulo) Time · America/Sao_Paulo"
    assert locales.zone_label("America/Sao_Paulo", "pt") == "Horário Brasil (São Paulo) · America/Sao_Paulo"
    assert locales.zone_label("UTC", "en") == "UTC"


def test_a_new_country_stores_its_main_zone(engine):
    add(engine, "BR", START)
    brazil = get(engine, "BR")
    assert brazil.time_zones[0] == "America/Noronha"  # tzdata's order is geographic, east first
    assert brazil.main_time_zone == "America/Sao_Paulo"


def test_main_zone_is_editable_and_kept_when_other_facts_change(engine):
    add(engine, "BR", START)
    assert edit(engine, "BR", main_time_zone="America/Manaus").main_time_zone == "America/Manaus"
    assert edit(engine, "BR", currency="USD").main_time_zone == "America/Manaus"


def test_a_main_zone_outside_the_countrys_zones_is_refused_and_nothing_changes(engine):
    add(engine, "BR", START)
    with pytest.raises(RolloutError, match="main time zone: Europe/Lisbon is not one of the country's"):
        edit(engine, "BR", main_time_zone="Europe/Lisbon", currency="USD")
    brazil = get(engine, "BR")
    assert (brazil.main_time_zone, brazil.currency) == ("America/Sao_Paulo", "BRL")


def test_an_empty_main_zone_is_chosen_by_the_rule_among_the_zones_kept(engine):
    add(engine, "BR", START)
    brazil = edit(engine, "BR", main_time_zone="", time_zones=["America/Noronha", "America/Manaus"])
    assert brazil.main_time_zone == "America/Noronha"
