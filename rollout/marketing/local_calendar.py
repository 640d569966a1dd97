"""A country's local calendar: public holidays, working week, cultural events, local events, campaigns.

Public holidays and the working week come from python-holidays (pinned). Where sources disagree on
the weekend (CLDR says India rests on Sunday only; python-holidays says Saturday and Sunday) we follow
python-holidays, which tracks the legal working week, and let users override it per country.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import holidays
from holidays.holiday_base import HOLIDAY_NAME_DELIMITER
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from rollout.marketing.events import EventRule, events_between, load_event_rules
from rollout.platform.countries import get_country, normalize_code
from rollout.platform.errors import RolloutError
from rollout.platform.locales import region_name
from rollout.platform.models import TASK_CANCELLED, Campaign, CampaignTask, Country, LocalEvent

INCLUDES = ("holidays", "events", "campaigns", "tasks")
HOLIDAY_CATEGORY_NAMES = {"public": "Public holiday", "optional": "Optional holiday"}
SHOWN_FIRST = {
    "holiday": 0,
    "local_event": 1,
    "event": 2,
    "campaign": 3,
    "task": 4,
}  # what blocks a day shows first


class CalendarEntry(NamedTuple):
    """One day or span of a calendar. A named tuple: a calendar makes thousands, and a frozen dataclass
    took four times as long to build each (entries are shared by the holiday cache, so must not change)."""

    start: date
    end: date  # inclusive
    name: str  # in the viewer's language where the source has it
    kind: str  # holiday, event, local_event, campaign or task
    category: str  # holiday category, opportunity / quiet, or campaign channel
    local_name: str = ""  # in the country's own language
    note: str = ""  # e.g. the language fallback, "estimated", the source
    starts_at: datetime | None = None  # campaigns: the UTC instant
    duration_minutes: int = 0
    campaign_id: int | None = None
    country: str = ""
    key: str = ""  # stable identity within its kind and country, whatever the viewer's language
    cancelled: bool = False
    region: str = ""  # a regional holiday: the region (subdivision code) whose holiday it is

    def label(self, locale: str = "en") -> str:
        """Its name as shown, a regional holiday's with its region: "Makar Sankranti (Karnataka)"."""
        return f"{self.name} ({region_name(self.country, self.region, locale)})" if self.region else self.name

    @property
    def blocks(self) -> bool:
        """A day to avoid for campaigns: a public holiday or a quiet period."""
        return (self.kind == "holiday" and self.category == "public") or self.category == "quiet"

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@cache
def _holiday_class(code: str):
    """The country's python-holidays entity, empty: what it supports (categories, languages, weekend,
    regions). Made once per country (each making looks its translations up on disk)."""
    try:
        return holidays.country_holidays(code)
    except NotImplementedError:  # python-holidays has no rules for this country
        return None


def holidays_supported(code: str) -> bool:
    return _holiday_class(code) is not None


def subdivisions(code: str) -> tuple[str, ...]:
    known = _holiday_class(code)
    return tuple(known.subdivisions) if known is not None else ()


def holiday_language(code: str, locale: str) -> str | None:
    """The language python-holidays can name this country's holidays in for `locale`, if any.

    python-holidays silently falls back to English for a language it lacks: we check first, so the
    page can say the names are in English."""
    known = _holiday_class(code)
    if known is None:
        return None
    supported = known.supported_languages
    language = locale.split("_")[0]
    for candidate in (locale, language, *[s for s in supported if s.split("_")[0] == language]):
        if candidate in supported:
            return candidate
    return None


# python-holidays is pinned and its output depends only on these arguments, so what it generates can be kept
# for the life of the process. Bounded: keys multiply with countries, year spans, regions and languages.
HOLIDAY_CACHE_SIZE = 512


@lru_cache(maxsize=HOLIDAY_CACHE_SIZE)
def _named_holidays(
    code: str, years: tuple[int, ...], subdiv: str | None, category: str, language: str
) -> Mapping[date, tuple[str, ...]]:
    """Each holiday day of the category with its names, by date: one object for all the years."""
    generated = holidays.country_holidays(
        code, subdiv=subdiv, years=years, categories=(category,), language=language
    )
    # get_list() per day, without its per-call key conversion: the keys are already dates.
    return MappingProxyType(
        {
            day: tuple(filter(None, names.split(HOLIDAY_NAME_DELIMITER)))
            for day, names in sorted(generated.items())
        }
    )


@lru_cache(maxsize=HOLIDAY_CACHE_SIZE)
def _category_entries(
    code: str, years: tuple[int, ...], subdiv: str | None, category: str, viewer_language: str | None
) -> tuple[CalendarEntry, ...]:
    """The category's holidays over whole years, named locally and for the viewer (entries are immutable,
    so callers share them)."""
    known = _holiday_class(code)
    # Ask for the default language by name: left unset, python-holidays follows the process locale.
    local = _named_holidays(code, years, subdiv, category, known.default_language)
    wanted = viewer_language or "en_US"
    # The viewer often reads the country's own language (en_US in the US): no second generation then.
    viewer = (
        local if wanted == known.default_language else _named_holidays(code, years, subdiv, category, wanted)
    )
    fallback = "" if viewer_language else "name in English: not available in the viewer's language"
    # By whether the name says "estimated" (python-holidays' mark on a date not yet confirmed).
    note_of = {False: fallback, True: "; ".join(filter(None, [fallback, "estimated"]))}
    entries = []
    for day, local_names in local.items():
        names = viewer.get(day, ())
        # A name the viewer's language lacks stays local (python-holidays gives both in the same order).
        for local_name, name in zip(local_names, names + local_names[len(names) :], strict=False):
            entries.append(
                CalendarEntry(
                    start=day,
                    end=day,
                    name=name,
                    local_name=local_name,
                    kind="holiday",
                    category=category,
                    note=note_of["estimated" in name],
                    country=code,
                    key=f"{category}:{local_name}",
                )
            )
    return tuple(entries)


def clear_holiday_cache() -> None:
    """Forget the generated holidays (benchmarks time a first view with it)."""
    _holiday_class.cache_clear()
    _named_holidays.cache_clear()
    _category_entries.cache_clear()
    _regional_entries.cache_clear()


def public_holidays(
    code: str, start: date, end: date, *, locale: str = "en", subdiv: str | None = None
) -> list[CalendarEntry]:
    """Holidays of every category python-holidays has for the country, named locally and for the viewer."""
    known = _holiday_class(code)
    if known is None:
        return []
    years = tuple(range(start.year, end.year + 1))
    viewer_language = holiday_language(code, locale)
    entries = [
        entry
        for category in known.supported_categories
        for entry in _regional_entries(code, years, subdiv, category, viewer_language)
        if start <= entry.start <= end
    ]
    # A day the region keeps as its own holiday is shown once, as the region's: Karnataka's public Makar
    # Sankranti, not also India's optional one.
    regional = {(e.start, e.local_name) for e in entries if e.region}
    return [e for e in entries if e.region or (e.start, e.local_name) not in regional]


@lru_cache(maxsize=HOLIDAY_CACHE_SIZE)
def _regional_entries(
    code: str, years: tuple[int, ...], subdiv: str | None, category: str, viewer_language: str | None
) -> tuple[CalendarEntry, ...]:
    """The category's holidays for the region, those the whole country does not have marked as the
    region's (python-holidays gives national and regional ones together)."""
    entries = _category_entries(code, years, subdiv, category, viewer_language)
    if subdiv is None:
        return entries
    national = {
        (e.start, e.local_name) for e in _category_entries(code, years, None, category, viewer_language)
    }
    return tuple(e if (e.start, e.local_name) in national else e._replace(region=subdiv) for e in entries)


def weekend_days(country: Country) -> frozenset[int]:
    """Rest days (0 = Monday): the user's override, else python-holidays' working week, else Sat–Sun."""
    if country.weekend_override is not None:
        return frozenset(country.weekend_override)
    known = _holiday_class(country.code)
    return frozenset(known.weekend) if known is not None else frozenset({5, 6})


def cultural_events(
    code: str, start: date, end: date, rules: Sequence[EventRule] | None = None
) -> list[CalendarEntry]:
    """The shipped cultural events of the country; `rules` when the caller has read them already."""
    return [
        CalendarEntry(
            start=e.start,
            end=e.end,
            name=e.name,
            kind="event",
            category=e.kind,
            note="; ".join(filter(None, ["estimated" if e.estimated else "", f"source: {e.source}"])),
            country=code,
            key=e.key,
        )
        for e in events_between(load_event_rules() if rules is None else rules, start, end, code)
    ]


def local_events(session: Session, code: str, start: date, end: date) -> list[CalendarEntry]:
    return local_events_by_country(session, [code], start, end).get(code, [])


# Only what an entry shows, as table columns: ORM objects, or even ORM column reads, cost more than the
# query itself (a calendar of many countries reads these on every view).
LOCAL_EVENT_TABLE = LocalEvent.__table__  # type: ignore[attr-defined]
LOCAL_EVENT_COLUMNS = [
    LOCAL_EVENT_TABLE.c[name]
    for name in ("id", "country_code", "name", "kind", "note", "start_date", "end_date")
]


def local_events_by_country(
    session: Session, codes: Sequence[str], start: date, end: date
) -> dict[str, list[CalendarEntry]]:
    """The local events of all `codes` overlapping [start, end], in one query."""
    table = LOCAL_EVENT_TABLE
    query = select(*LOCAL_EVENT_COLUMNS).where(
        table.c.country_code.in_(codes), table.c.start_date <= end, table.c.end_date >= start
    )
    found: dict[str, list[CalendarEntry]] = {}
    for e in session.execute(query):
        found.setdefault(e.country_code, []).append(
            CalendarEntry(
                start=e.start_date,
                end=e.end_date,
                name=e.name,
                kind="local_event",
                category=e.kind,
                note=e.note,
                country=e.country_code,
                key=str(e.id),
            )
        )
    return found


def campaign_entries(
    session: Session, code: str, start: date, end: date, with_cancelled: bool = False
) -> list[CalendarEntry]:
    return campaign_entries_by_country(session, [code], start, end, with_cancelled).get(code, [])


# Only what an entry shows: whole Campaign objects cost the ORM far more than the calendar needs.
ENTRY_COLUMNS = (
    col(Campaign.id),
    col(Campaign.country_code),
    col(Campaign.name),
    col(Campaign.channel),
    col(Campaign.occasion),
    col(Campaign.starts_at),
    col(Campaign.time_zone),
    col(Campaign.duration_minutes),
    col(Campaign.cancelled),
)


def campaign_entries_by_country(
    session: Session, codes: Sequence[str], start: date, end: date, with_cancelled: bool = False
) -> dict[str, list[CalendarEntry]]:
    """The campaigns of all `codes` on local days within [start, end], in one query."""
    # SQLAlchemy's select: SQLModel's is typed for at most four columns.
    query = _near_window(sql_select(*ENTRY_COLUMNS), codes, start, end, with_cancelled)
    found: dict[str, list[CalendarEntry]] = {}
    for c in session.exec(query):
        day = c.starts_at.astimezone(ZoneInfo(c.time_zone)).date()  # local_day(), without an ORM object
        if start <= day <= end:
            found.setdefault(c.country_code, []).append(
                CalendarEntry(
                    start=day,
                    end=day,
                    name=c.name,
                    kind="campaign",
                    category=c.channel,
                    note=c.occasion,
                    starts_at=c.starts_at,
                    duration_minutes=c.duration_minutes,
                    campaign_id=c.id,
                    country=c.country_code,
                    key=str(c.id),
                    cancelled=c.cancelled,
                )
            )
    return found


def task_entries_by_country(
    session: Session, codes: Sequence[str], start: date, end: date, with_cancelled: bool = False
) -> dict[str, list[CalendarEntry]]:
    """The campaign tasks of all `codes` due within [start, end], as all-day entries, in one query."""
    query: Any = (
        sql_select(
            col(CampaignTask.id),
            col(CampaignTask.country_code),
            col(CampaignTask.name),
            col(CampaignTask.due_on),
            col(CampaignTask.status),
            col(CampaignTask.assignee),
            col(CampaignTask.role),
            col(Campaign.name).label("campaign"),
        )
        .join(Campaign, col(Campaign.id) == col(CampaignTask.campaign_id))
        .where(
            col(CampaignTask.country_code).in_(codes),
            col(CampaignTask.due_on) >= start,
            col(CampaignTask.due_on) <= end,
        )
        .order_by(col(CampaignTask.due_on), col(CampaignTask.id))
    )
    if not with_cancelled:
        query = query.where(col(CampaignTask.status) != TASK_CANCELLED)
    found: dict[str, list[CalendarEntry]] = {}
    for t in session.execute(query):
        found.setdefault(t.country_code, []).append(
            CalendarEntry(
                start=t.due_on,
                end=t.due_on,
                name=f"{t.name} ({t.campaign})",
                kind="task",
                category="task",
                note="; ".join(filter(None, [f"status: {t.status}", t.role, t.assignee])),
                country=t.country_code,
                key=str(t.id),
                cancelled=t.status == TASK_CANCELLED,
            )
        )
    return found


def local_day(campaign: Campaign) -> date:
    return campaign.starts_at.astimezone(ZoneInfo(campaign.time_zone)).date()


def campaigns_between(
    session: Session, code: str, start: date, end: date, with_cancelled: bool = False
) -> list[Campaign]:
    query = _near_window(select(Campaign), [code], start, end, with_cancelled)
    return [c for c in session.exec(query) if start <= local_day(c) <= end]


def _near_window(query, codes: Sequence[str], start: date, end: date, with_cancelled: bool):
    """Campaigns of the countries whose UTC start falls within a day of [start, end] (local days differ by
    at most a day), by start; the caller keeps those whose local day is in [start, end]."""
    low = datetime.combine(start - timedelta(days=1), time.min, tzinfo=UTC)
    high = datetime.combine(end + timedelta(days=2), time.min, tzinfo=UTC)
    query = query.where(
        col(Campaign.country_code).in_(codes), col(Campaign.starts_at) >= low, col(Campaign.starts_at) < high
    ).order_by(Campaign.starts_at)
    if not with_cancelled:
        query = query.where(Campaign.cancelled == False)  # noqa: E712
    return query


def calendar_entries(
    session: Session,
    code: str,
    start: date,
    end: date,
    *,
    locale: str = "en",
    subdiv: str | None = None,
    include: Iterable[str] = INCLUDES,
    with_cancelled: bool = False,
) -> list[CalendarEntry]:
    """The country's calendar; exports pass `with_cancelled` so calendars that imported a campaign learn
    it was cancelled."""
    code = normalize_code(code)
    found = calendars(
        session,
        [code],
        start,
        end,
        locale=locale,
        subdivs={code: subdiv},
        include=include,
        with_cancelled=with_cancelled,
    )
    return found[code]


def calendars(
    session: Session,
    codes: Sequence[str],
    start: date,
    end: date,
    *,
    locale: str = "en",
    subdivs: Mapping[str, str | None] | None = None,
    include: Iterable[str] = INCLUDES,
    with_cancelled: bool = False,
) -> dict[str, list[CalendarEntry]]:
    """calendar_entries() of several countries (by code, in the order given), reading the database once per
    kind of entry rather than once per country; `subdivs` gives a country its region."""
    wanted = _known_codes(session, codes, subdivs or {})
    include = set(include)
    local = local_events_by_country(session, wanted, start, end) if "events" in include else {}
    planned = (
        campaign_entries_by_country(session, wanted, start, end, with_cancelled)
        if "campaigns" in include
        else {}
    )
    tasks = task_entries_by_country(session, wanted, start, end, with_cancelled) if "tasks" in include else {}
    rules = load_event_rules() if "events" in include else ()
    found = {}
    for code in wanted:
        entries: list[CalendarEntry] = []
        if "holidays" in include:
            entries += public_holidays(code, start, end, locale=locale, subdiv=(subdivs or {}).get(code))
        if "events" in include:
            entries += cultural_events(code, start, end, rules) + local.get(code, [])
        entries += planned.get(code, []) + tasks.get(code, [])
        found[code] = sorted(entries, key=lambda e: (e.start, SHOWN_FIRST[e.kind], e.name))
    return found


def _known_codes(session: Session, codes: Sequence[str], subdivs: Mapping[str, str | None]) -> list[str]:
    """The codes, each checked to be in the rollout and to have its region; codes alone, in one query: a
    calendar needs nothing else of its countries."""
    wanted = [normalize_code(code) for code in codes]
    known = set(session.exec(select(Country.code).where(col(Country.code).in_(wanted))))
    for code in wanted:
        if code not in known:
            get_country(session, code)  # says which one is missing
        subdiv = subdivs.get(code)
        if subdiv and subdiv not in subdivisions(code):
            raise RolloutError(
                f"region: '{subdiv}' is not a subdivision of {code} "
                f"({', '.join(subdivisions(code)) or 'it has none'})"
            )
    return wanted


def countries_of(session: Session, codes: Sequence[str]) -> list[Country]:
    """get_country() of each code, in one query for many."""
    if len(codes) < 2:
        return [get_country(session, code) for code in codes]
    wanted = [normalize_code(code) for code in codes]
    loaded = {c.code: c for c in session.exec(select(Country).where(col(Country.code).in_(wanted)))}
    # get_country() says which one is missing, as it would have one by one.
    return [loaded.get(code) or get_country(session, code) for code in wanted]


def blocked_reasons(day: date, entries: Sequence[CalendarEntry], weekend: frozenset[int]) -> list[str]:
    """Why a day is a poor day for a campaign (empty: a working day with nothing against it)."""
    reasons = ["weekend"] if day.weekday() in weekend else []
    reasons += [e.name for e in entries if e.blocks and e.covers(day)]
    return reasons
