"""Countries the company enters: adding them with facts prefilled from CLDR and tzdata, editing facts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel.numbers import list_currencies
from sqlmodel import Session, col, select

from rollout.platform import locales
from rollout.platform.access import Action, authorize
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locking import require_version, touch
from rollout.platform.models import Country, CountryFacts, utc_now


def normalize_code(code: str) -> str:
    cleaned = (code or "").strip().upper()
    if not locales.is_iso_country(cleaned):
        raise RolloutError(f"'{code}' is not an ISO 3166-1 alpha-2 country code (for example ES, IN, JP)")
    return cleaned


def suggested_facts(code: str, on: date | None = None) -> CountryFacts:
    """What CLDR and tzdata say about a country; the user may edit any of it."""
    code = normalize_code(code)
    return CountryFacts(
        languages=locales.official_languages(code),
        currency=locales.currency(code, on),
        time_zones=locales.time_zones(code),
        main_time_zone=locales.main_time_zone(code),
        first_week_day=locales.first_week_day(code),
    )


def validate_facts(facts: CountryFacts, code: str) -> CountryFacts:
    """Facts checked field by field; the message names the field. An empty main zone is chosen by the rule."""
    if not facts.currency:
        raise RolloutError("currency: none is known for this country; choose the one its deals are in")
    if facts.currency not in list_currencies():
        raise RolloutError(f"currency: '{facts.currency}' is not an ISO 4217 currency code")
    unknown = [lang for lang in facts.languages if lang not in locales.viewer_locale("en").languages]
    if unknown:
        raise RolloutError(f"languages: {', '.join(unknown)} not known to CLDR")
    zones = set(locales.all_time_zones())
    bad_zones = [zone for zone in facts.time_zones if zone not in zones]
    if bad_zones:
        raise RolloutError(f"time zones: {', '.join(bad_zones)} not in the IANA time zone database")
    if not facts.main_time_zone:
        facts.main_time_zone = locales.main_time_zone(code, facts.time_zones)
    elif facts.main_time_zone not in facts.time_zones:
        raise RolloutError(
            f"main time zone: {facts.main_time_zone} is not one of the country's time zones; add it to "
            "them or choose one of them"
        )
    if not 0 <= facts.first_week_day <= 6:
        raise RolloutError("first day of the week: must be 0 (Monday) to 6 (Sunday)")
    if facts.display_name is not None and not facts.display_name.strip():
        facts.display_name = None
    return facts


def get_country(session: Session, code: str, for_update: bool = False) -> Country:
    code = normalize_code(code)
    country = session.get(Country, code, with_for_update=for_update, populate_existing=for_update)
    if country is None:
        raise NotFound(f"{code} ({locales.country_name(code)}) is not in the rollout yet")
    return country


def list_countries(session: Session) -> list[Country]:
    return list(session.exec(select(Country).order_by(col(Country.start_date), col(Country.code))))


def add_country(
    session: Session,
    *,
    code: str,
    start_date: date,
    by: str,
    facts: CountryFacts | None = None,
) -> Country:
    code = normalize_code(code)
    by = authorize(session, by, Action.MANAGE_COUNTRIES, code)
    if session.get(Country, code) is not None:
        raise RolloutError(f"{code} ({locales.country_name(code)}) is already in the rollout")
    # The currency in force when the rollout starts, or now if it started in the past (HR: EUR, not HRK).
    facts = validate_facts(facts or suggested_facts(code, max(start_date, date.today())), code)
    country = Country(
        code=code,
        start_date=start_date,
        created_at=utc_now(),
        created_by=by,
        **facts.model_dump(),
    )
    session.add(country)
    session.flush()
    return country


def update_facts(
    session: Session,
    *,
    code: str,
    facts: CountryFacts | Mapping[str, Any],
    by: str,
    expected_version: int | None = None,
) -> Country:
    """Save a country's facts: all of them (CountryFacts), or only the fields given (a mapping), the others
    kept as stored."""
    country = get_country(session, code, for_update=True)
    by = authorize(session, by, Action.MANAGE_COUNTRIES, country.code)
    require_version(country, expected_version, f"{country.code}'s facts")
    changes = facts.model_dump() if isinstance(facts, CountryFacts) else dict(facts)
    unknown = set(changes) - set(CountryFacts.model_fields)
    if unknown:
        raise RolloutError(f"{', '.join(sorted(unknown))}: not a country fact")
    stored = {field: getattr(country, field) for field in CountryFacts.model_fields}
    merged = validate_facts(CountryFacts.model_construct(**(stored | changes)), country.code).model_dump()
    for field in changes:
        setattr(country, field, merged[field])
    touch(country, by)
    session.add(country)
    session.flush()
    return country


def display_name(country: Country, locale: str | None = None) -> str:
    return country.display_name or locales.country_name(country.code, locale)


def set_weekend(
    session: Session, *, code: str, days: list[int], by: str, expected_version: int | None = None
) -> Country:
    """Override the weekend (0 = Monday) where the market's working week differs from python-holidays'."""
    country = get_country(session, code, for_update=True)
    by = authorize(session, by, Action.MANAGE_COUNTRIES, country.code)
    require_version(country, expected_version, f"{country.code}'s weekend")
    if any(day not in range(7) for day in days):
        raise RolloutError(f"weekend: days must be 0 (Monday) to 6 (Sunday), not {days}")
    if len(set(days)) > 3:
        raise RolloutError("weekend: at most three rest days a week")
    country.weekend_override = sorted(set(days))
    touch(country, by)
    session.add(country)
    session.flush()
    return country
