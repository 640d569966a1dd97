"""Country and language facts from CLDR (babel), ISO 3166 (pycountry) and the IANA tz database (tzdata).

Adding a country only needs its ISO code. The one hand-written table, MAIN_ZONE_OVERRIDES, corrects the few
countries whose tz order is geographic rather than by population (see main_time_zone).
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from importlib import resources

import holidays
import pycountry
from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from babel.languages import get_official_languages
from babel.numbers import get_territory_currencies

# Languages the interface can show country, language and date names in.
VIEWER_LOCALES = ("en", "fr", "de", "es", "it", "pt", "ja", "hi", "ar")
DEFAULT_VIEWER_LOCALE = "en"


@cache
def iso_country_codes() -> tuple[str, ...]:
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


def is_iso_country(code: str) -> bool:
    return code in iso_country_codes()


def alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"{code!r} is not an ISO 3166 country code")
    return country.alpha_3


@cache
def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_VIEWER_LOCALE)


def viewer_locale(tag: str | None) -> Locale:
    return _locale(tag or DEFAULT_VIEWER_LOCALE)


def country_name(code: str, locale: str | None = None) -> str:
    name = viewer_locale(locale).territories.get(code)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def language_name(language: str, locale: str | None = None) -> str:
    return viewer_locale(locale).languages.get(language, language)


def weekday_name(day: int, locale: str | None = None) -> str:
    """0 = Monday … 6 = Sunday, as CLDR numbers them."""
    return viewer_locale(locale).days["format"]["wide"][day]


def _likely_locale(code: str) -> Locale | None:
    try:
        return Locale.parse(f"und_{code}")
    except (UnknownLocaleError, ValueError):
        return None


def official_languages(code: str) -> list[str]:
    """Candidate translation targets: CLDR's official languages, de facto ones included (US → en)."""
    languages = list(get_official_languages(code, de_facto=True))
    if not languages and (likely := _likely_locale(code)):
        languages = [likely.language]
    return languages


def currency(code: str, on: date | None = None) -> str:
    currencies = get_territory_currencies(code, start_date=on or date.today(), tender=True)
    return currencies[0] if currencies else ""


@cache
def _zone_tab() -> dict[str, tuple[str, ...]]:
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country_code, _coordinates, zone, *_ = line.split("\t")
            zones.setdefault(country_code, []).append(zone)
    return {country_code: tuple(names) for country_code, names in zones.items()}


def time_zones(code: str) -> list[str]:
    return list(_zone_tab().get(code, ()))


# tzdata's zone.tab lists a country's zones "most populous first, where that does not contradict" a
# geographical order. Where geography wins, an island or exclave comes first (Brazil's Noronha, Australia's
# Lord Howe, Canada's St John's, Russia's Kaliningrad, Ukraine's Simferopol, Uzbekistan's Samarkand); CLDR's
# metaZones primaryZones names Kyiv and Tashkent, and GeoNames' city populations (checked against every
# multi-zone country in tzdata 2026f) name these six. Neither ships with babel, hence this table;
# tests/platform/test_countries.py fails when tzdata's first zone catches up with an entry.
MAIN_ZONE_OVERRIDES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


def main_time_zone(code: str, zones: list[str] | None = None) -> str:
    """The zone most of the country does business in, among `zones` (default: all the country's zones).

    Zones outside tzdata's list for the country (a user may add any) come after its own, in the order given;
    "" when there is no zone at all.
    """
    zones = time_zones(code) if zones is None else zones
    if MAIN_ZONE_OVERRIDES.get(code) in zones:
        return MAIN_ZONE_OVERRIDES[code]
    ranked = [zone for zone in time_zones(code) if zone in zones] + zones
    return ranked[0] if ranked else ""


def zone_label(zone: str, locale: str | None = None) -> str:
    """A zone named for people, in the viewer's language, with its IANA name: "Brazil (Sao Paulo) Time ·
    America/Sao_Paulo"."""
    if zone in ("UTC", "Etc/UTC", ""):
        return "UTC"
    return f"{get_timezone_location(zone, locale=viewer_locale(locale))} · {zone}"


def all_time_zones() -> list[str]:
    return sorted({zone for zones in _zone_tab().values() for zone in zones})


def first_week_day(code: str) -> int:
    likely = _likely_locale(code)
    return likely.first_week_day if likely else 0


def country_locale(code: str) -> str:
    """The locale people in the country most likely use (CLDR likely subtags): BR → pt_BR, IN → hi_IN."""
    likely = _likely_locale(code)
    return str(likely) if likely else DEFAULT_VIEWER_LOCALE


def locale_name(tag: str, locale: str | None = None) -> str:
    """A locale by name for people, in the viewer's language: hi_IN → "Hindi (India)"."""
    try:
        name = Locale.parse(tag).get_display_name(viewer_locale(locale))
    except (UnknownLocaleError, ValueError):
        return tag
    return name[:1].upper() + name[1:] if name else tag


def region_name(code: str, subdivision: str, locale: str | None = None) -> str:
    """A region by name: in the viewer's language where iso-codes translates it (DE, BY → "Bavaria" in
    English, "Bavière" in French), else python-holidays' name (IN, KA → "Karnataka"), else ISO 3166-2's,
    else its code."""
    region = pycountry.subdivisions.get(code=f"{code}-{subdivision}")
    if locale and region is not None:
        translated = _subdivision_names(Locale.parse(locale).language).gettext(region.name)
        if translated != region.name:
            return _uninverted(translated)
    try:
        names = holidays.country_holidays(code).get_subdivision_aliases().get(subdivision)
    except NotImplementedError:
        names = None
    if names:
        return names[0]
    return _uninverted(region.name) if region else subdivision


@cache
def _subdivision_names(language: str) -> gettext.NullTranslations:
    """iso-codes' translations of ISO 3166-2 names (shipped with pycountry) for one language."""
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _uninverted(name: str) -> str:
    """ISO's "Madrid, Comunidad de" as people write it: "Comunidad de Madrid"."""
    head, comma, tail = name.partition(", ")
    particle = tail.split()[-1] if tail.split() else ""
    return f"{tail} {head}" if comma and particle.islower() else name
