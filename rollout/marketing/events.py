"""Cultural and commercial events that public-holiday lists leave out: campaign hooks and quiet periods.

Native marketers time campaigns around them. No maintained data set exists, so the rules live in
rollout/data/events.toml and, in the habit of python-holidays, every rule cites its source. Lunar dates come
from python-holidays' calendar tables. Every error names the file and the rule key.
"""

from __future__ import annotations

import calendar
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from dateutil.easter import easter
from holidays.calendars.chinese import _ChineseLunisolar
from holidays.calendars.hindu import _HinduLunisolar
from holidays.calendars.islamic import _IslamicLunar

from rollout.platform.config_files import (
    ConfigFileError,
    data_file,
    read_text,
    reject_unknown_keys,
    require_key,
)
from rollout.platform.locales import is_iso_country

DEFAULT_EVENTS = data_file("events.toml")

OPPORTUNITY = "opportunity"
QUIET = "quiet"
KINDS = (OPPORTUNITY, QUIET)
ALL_COUNTRIES = "*"
# Built-in anchor for `relative` rules (Western Easter Sunday), so Mothering Sunday needs no rule of its own.
EASTER = "easter"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RULE_TYPES = ("fixed", "nth_weekday", "relative", "lunar", "window", "dates")
SPAN_KEYS = ("days", "until", "until_offset_days")
EVENT_KEYS = {"key", "name", "kind", "countries", "source", "description", *SPAN_KEYS, *RULE_TYPES}
# An offset under a year keeps every occurrence within one year of the date it is computed from.
MAX_OFFSET_DAYS = 365
MAX_DAYS = 366
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


class EventRuleError(ConfigFileError):
    """The events file cannot be used; the message names the file and the rule key."""


@dataclass(frozen=True)
class EventRule:
    key: str
    name: str
    kind: str
    countries: tuple[str, ...]
    source: str
    description: str
    # The parsed date rule, with a "type" entry; read-only by convention, left out of the hash.
    rule: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class EventOccurrence:
    key: str
    name: str
    kind: str
    start: date
    end: date  # inclusive
    countries: tuple[str, ...]  # ("*",) means every country
    source: str
    estimated: bool = False  # an Islamic date computed ahead of the moon sighting that fixes it

    def applies_to(self, country_code: str) -> bool:
        return ALL_COUNTRIES in self.countries or country_code.strip().upper() in self.countries


# --- Lunar dates -------------------------------------------------------------------------------------
# python-holidays (pinned) offers these dates only through private calendar classes, with no public API:
# the three adapters below are the only code that touches them, so an upgrade changes this one place.
# Each returns (date, estimated) pairs falling in `year`.

LunarDates = tuple[tuple[date, bool], ...]
ISLAMIC_METHODS = {
    "ramadan_start": "ramadan_beginning_dates",
    "eid_al_fitr": "eid_al_fitr_dates",
    "eid_al_adha": "eid_al_adha_dates",
}


def _chinese_dates(holiday: str, year: int) -> LunarDates:
    day, _ = _ChineseLunisolar().lunar_new_year_date(year)
    # Tables computed from astronomy (as the Hong Kong Observatory publishes), not awaiting an announcement.
    return ((day, False),) if day else ()


def _islamic_dates(holiday: str, year: int) -> LunarDates:
    pairs = getattr(_IslamicLunar(), ISLAMIC_METHODS[holiday])(year)
    # The library also yields last year's dates (a lunar year is shorter than a solar one): keep this year's.
    # A lunar holiday can fall twice in one Gregorian year; both are kept.
    return tuple(sorted((day, estimated) for day, estimated in pairs if day.year == year))


def _hindu_dates(holiday: str, year: int) -> LunarDates:
    # diwali_india_date, not diwali_date: it is the table python-holidays' India class uses, and it agrees
    # with the Government of India's holiday list (2025-10-20, where diwali_date says 2025-11-19).
    # It covers 2001-2035; other years have no Diwali occurrence.
    day, _ = _HinduLunisolar().diwali_india_date(year)
    return ((day, False),) if day else ()


LUNAR_CALENDARS: dict[str, tuple[tuple[str, ...], Callable[[str, int], LunarDates]]] = {
    "chinese": (("new_year",), _chinese_dates),
    "islamic": (tuple(ISLAMIC_METHODS), _islamic_dates),
    "hindu": (("diwali",), _hindu_dates),
}


@lru_cache(maxsize=4096)
def lunar_dates(calendar_name: str, holiday: str, year: int) -> LunarDates:
    return LUNAR_CALENDARS[calendar_name][1](holiday, year)


# --- Parsing -----------------------------------------------------------------------------------------


def _error(where: str, message: str) -> EventRuleError:
    return EventRuleError(f"{where}: {message}")


def _table(raw: dict[str, Any], name: str, known: set[str], where: str, example: str) -> dict[str, Any]:
    value = raw[name]
    if not isinstance(value, dict):
        raise _error(where, f"'{name}' must be a table like {name} = {example}, not {value!r}")
    reject_unknown_keys(value, known, f"{where} '{name}'", EventRuleError)
    return value


def _int_between(
    table: dict[str, Any], name: str, where: str, low: int, high: int, default: int | None = None
) -> int:
    if default is not None and name not in table:
        return default
    value = require_key(table, name, int, where, EventRuleError)
    if not low <= value <= high:
        raise _error(where, f"'{name}' must be between {low} and {high}, not {value}")
    return value


def _month_day(table: dict[str, Any], where: str) -> tuple[int, int]:
    month = _int_between(table, "month", where, 1, 12)
    # A common year's month lengths: February 29 does not come every year, so no rule may need it.
    last_day = calendar.monthrange(2001, month)[1]
    day = _int_between(table, "day", where, 1, last_day)
    return month, day


def _offset(table: dict[str, Any], name: str, where: str) -> int:
    return _int_between(table, name, where, -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS, default=0)


def _parse_fixed(raw: dict[str, Any], where: str) -> dict[str, Any]:
    table = _table(raw, "fixed", {"month", "day"}, where, "{ month = 11, day = 11 }")
    month, day = _month_day(table, f"{where} 'fixed'")
    return {"month": month, "day": day}


def _parse_nth_weekday(raw: dict[str, Any], where: str) -> dict[str, Any]:
    example = '{ month = 11, weekday = "thursday", n = 4 }'
    table = _table(raw, "nth_weekday", {"month", "weekday", "n", "offset_days"}, where, example)
    where = f"{where} 'nth_weekday'"
    weekday = require_key(table, "weekday", str, where, EventRuleError)
    if weekday.lower() not in WEEKDAYS:
        raise _error(where, f"'weekday' must be one of {', '.join(WEEKDAYS)}, not {weekday!r}")
    n = _int_between(table, "n", where, -4, 4)
    if n == 0:
        # A fifth weekday does not occur in every month, hence the range; -1 reaches the last one.
        raise _error(where, "'n' must be 1 to 4, or -1 (last) to -4")
    return {
        "month": _int_between(table, "month", where, 1, 12),
        "weekday": WEEKDAYS.index(weekday.lower()),
        "n": n,
        "offset_days": _offset(table, "offset_days", where),
    }


def _parse_relative(raw: dict[str, Any], where: str) -> dict[str, Any]:
    table = _table(raw, "relative", {"to", "offset_days"}, where, '{ to = "black_friday", offset_days = 3 }')
    where = f"{where} 'relative'"
    return {
        "to": require_key(table, "to", str, where, EventRuleError),
        "offset_days": _offset(table, "offset_days", where),
    }


def _parse_lunar(raw: dict[str, Any], where: str) -> dict[str, Any]:
    table = _table(raw, "lunar", {"calendar", "holiday"}, where, '{ calendar = "hindu", holiday = "diwali" }')
    where = f"{where} 'lunar'"
    name = require_key(table, "calendar", str, where, EventRuleError)
    if name not in LUNAR_CALENDARS:
        raise _error(where, f"'calendar' must be one of {', '.join(LUNAR_CALENDARS)}, not {name!r}")
    holiday = require_key(table, "holiday", str, where, EventRuleError)
    known = LUNAR_CALENDARS[name][0]
    if holiday not in known:
        raise _error(where, f"the {name} calendar knows the holidays {', '.join(known)}, not {holiday!r}")
    return {"calendar": name, "holiday": holiday}


def _parse_window(raw: dict[str, Any], where: str) -> dict[str, Any]:
    example = "{ start = { month = 8, day = 1 }, end = { month = 8, day = 31 } }"
    table = _table(raw, "window", {"start", "end"}, where, example)
    ends = {}
    for end in ("start", "end"):
        ends[end] = _month_day(
            _table(table, end, {"month", "day"}, f"{where} 'window'", "{ month = 8, day = 1 }"),
            f"{where} 'window' '{end}'",
        )
    return ends


def _parse_dates(raw: dict[str, Any], where: str) -> dict[str, Any]:
    values = raw["dates"]
    if not isinstance(values, list) or not values:
        raise _error(where, f"'dates' must be a non-empty list like [2027-03-02], not {values!r}")
    return {"dates": tuple(sorted({_one_date(value, where) for value in values}))}


def _one_date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _error(where, f"'dates' entries must be dates (YYYY-MM-DD), not {value!r}")


PARSERS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "fixed": _parse_fixed,
    "nth_weekday": _parse_nth_weekday,
    "relative": _parse_relative,
    "lunar": _parse_lunar,
    "window": _parse_window,
    "dates": _parse_dates,
}


def _parse_span(raw: dict[str, Any], rule_type: str, where: str) -> dict[str, Any]:
    """How long each occurrence lasts: `days`, or `until` another event; a window sets its own end."""
    if rule_type == "window":
        for name in SPAN_KEYS:
            if name in raw:
                raise _error(where, f"'{name}' does not apply to a window: its end date sets its length")
        return {}
    if "until" in raw and "days" in raw:
        raise _error(where, "give 'days' or 'until', not both")
    if "until" in raw:
        return {
            "until": require_key(raw, "until", str, where, EventRuleError),
            "until_offset_days": _offset(raw, "until_offset_days", where),
        }
    if "until_offset_days" in raw:
        raise _error(where, "'until_offset_days' needs 'until'")
    return {"days": _int_between(raw, "days", where, 1, MAX_DAYS, default=1)}


def _parse_date_rule(raw: dict[str, Any], where: str) -> dict[str, Any]:
    present = [name for name in RULE_TYPES if name in raw]
    if len(present) != 1:
        found = ", ".join(present) or "none"
        raise _error(where, f"needs exactly one date rule of {', '.join(RULE_TYPES)}; found {found}")
    rule_type = present[0]
    return {"type": rule_type, **PARSERS[rule_type](raw, where), **_parse_span(raw, rule_type, where)}


def _parse_countries(raw: dict[str, Any], where: str) -> tuple[str, ...]:
    countries = require_key(raw, "countries", list, where, EventRuleError)
    if countries == [ALL_COUNTRIES]:
        return (ALL_COUNTRIES,)
    if not countries:
        raise _error(where, "'countries' is empty: list ISO 3166 alpha-2 codes, or [\"*\"] for all")
    bad = [code for code in countries if not isinstance(code, str) or not is_iso_country(code)]
    if bad:
        hint = ' (["*"] stands alone)' if ALL_COUNTRIES in bad else " (the United Kingdom is GB)"
        raise _error(where, f"not ISO 3166 alpha-2 country codes: {', '.join(map(str, bad))}{hint}")
    return tuple(dict.fromkeys(countries))


def _parse_event(raw: Any, index: int, source: str) -> EventRule:
    where = f"{source}: events[{index}]"
    if not isinstance(raw, dict):
        raise _error(where, "must be an [[events]] table")
    key = require_key(raw, "key", str, where, EventRuleError)
    where = f"{source}: event '{key}'"
    reject_unknown_keys(raw, EVENT_KEYS, where, EventRuleError)
    if key == EASTER or not KEY_PATTERN.fullmatch(key):
        raise _error(
            where, f"the key must be lower-case letters, digits and _, and not '{EASTER}' (built in)"
        )
    kind = require_key(raw, "kind", str, where, EventRuleError)
    if kind not in KINDS:
        raise _error(where, f"'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    cited = require_key(raw, "source", str, where, EventRuleError).strip()
    if not cited:
        raise _error(where, "'source' is empty: cite where the dates come from (a URL or publication)")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise _error(where, f"'description' must be text, not {description!r}")
    return EventRule(
        key=key,
        name=require_key(raw, "name", str, where, EventRuleError),
        kind=kind,
        countries=_parse_countries(raw, where),
        source=cited,
        description=description.strip(),
        rule=_parse_date_rule(raw, where),
    )


def _references(rule: EventRule) -> list[tuple[str, str]]:
    """(field, key) of the events this rule's dates depend on."""
    refs = []
    if rule.rule["type"] == "relative":
        refs.append(("relative.to", rule.rule["to"]))
    if "until" in rule.rule:
        refs.append(("until", rule.rule["until"]))
    return refs


def _check_references(rules: tuple[EventRule, ...], source: str) -> None:
    keys = {rule.key for rule in rules}
    seen: set[str] = set()
    for rule in rules:
        if rule.key in seen:
            raise _error(f"{source}: event '{rule.key}'", "this key appears twice")
        seen.add(rule.key)
        for name, target in _references(rule):
            if target != EASTER and target not in keys:
                raise _error(f"{source}: event '{rule.key}'", f"'{name}' refers to unknown event '{target}'")


def _reject_cycles(rules: tuple[EventRule, ...], source: str) -> None:
    depends = {rule.key: [target for _, target in _references(rule) if target != EASTER] for rule in rules}
    done: set[str] = set()

    def visit(key: str, path: list[str]) -> None:
        if key in path:
            cycle = " → ".join([*path[path.index(key) :], key])
            raise _error(f"{source}: event '{key}'", f"relative dates form a cycle: {cycle}")
        if key not in done:
            for target in depends[key]:
                visit(target, [*path, key])
            done.add(key)

    for rule in rules:
        visit(rule.key, [])


def parse_event_rules(text: str, source: str = "<events>") -> tuple[EventRule, ...]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EventRuleError(f"{source}: {error}") from error
    reject_unknown_keys(raw, {"events"}, source, EventRuleError)
    raw_events = raw.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise EventRuleError(f"{source}: no [[events]] defined")
    rules = tuple(_parse_event(event, index, source) for index, event in enumerate(raw_events))
    _check_references(rules, source)
    _reject_cycles(rules, source)
    return rules


def load_event_rules(path: Path | str = DEFAULT_EVENTS) -> tuple[EventRule, ...]:
    resolved = Path(path)
    return _load_cached(resolved, resolved.stat().st_mtime_ns if resolved.exists() else 0)


@cache
def _load_cached(path: Path, _mtime: int) -> tuple[EventRule, ...]:
    text = read_text(path, EventRuleError)
    return parse_event_rules(text, source=str(path))


# --- Dates -------------------------------------------------------------------------------------------

Span = tuple[date, date, bool]  # start, end (inclusive), estimated


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    days_in_month = calendar.monthrange(year, month)[1]
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year, month, days_in_month)
    return last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-n - 1))


class _Spans:
    """Each rule's spans, computed once per rule and year; an occurrence belongs to the year it starts in."""

    def __init__(self, rules: Sequence[EventRule]) -> None:
        self._rules = {rule.key: rule for rule in rules}
        self._by_year: dict[tuple[str, int], list[Span]] = {}

    def starting_in(self, key: str, year: int) -> list[Span]:
        if (key, year) not in self._by_year:
            # An offset under a year keeps a date computed from one year within a year of it.
            spans = {span for base in (year - 1, year, year + 1) for span in self._spans(key, base)}
            self._by_year[key, year] = sorted(span for span in spans if span[0].year == year)
        return self._by_year[key, year]

    def _spans(self, key: str, base_year: int) -> list[Span]:
        if key == EASTER:
            return [(easter(base_year), easter(base_year), False)]
        rule = self._rule(key)
        if rule.rule["type"] == "window":
            return [self._window(rule.rule, base_year)]
        spans = (
            self._extend(rule.rule, start, estimated)
            for start, estimated in self._starts(rule.rule, base_year)
        )
        return [span for span in spans if span is not None]

    def _rule(self, key: str) -> EventRule:
        if key not in self._rules:
            raise ValueError(
                f"event '{key}' is needed by another rule's dates but is not among the rules given"
            )
        return self._rules[key]

    def _starts(self, rule: dict[str, Any], year: int) -> list[tuple[date, bool]]:
        kind = rule["type"]
        if kind == "fixed":
            return [(date(year, rule["month"], rule["day"]), False)]
        if kind == "nth_weekday":
            day = _nth_weekday(year, rule["month"], rule["weekday"], rule["n"])
            return [(day + timedelta(days=rule["offset_days"]), False)]
        if kind == "relative":
            shift = timedelta(days=rule["offset_days"])
            return [(start + shift, estimated) for start, _, estimated in self.starting_in(rule["to"], year)]
        if kind == "lunar":
            return list(lunar_dates(rule["calendar"], rule["holiday"], year))
        return [(day, False) for day in rule["dates"] if day.year == year]

    @staticmethod
    def _window(rule: dict[str, Any], year: int) -> Span:
        start = date(year, *rule["start"])
        end = date(year, *rule["end"])
        # An end before the start wraps into the next year (the Christmas-New Year lull).
        return start, end if end >= start else date(year + 1, *rule["end"]), False

    def _extend(self, rule: dict[str, Any], start: date, estimated: bool) -> Span | None:
        if "until" not in rule:
            return start, start + timedelta(days=rule["days"] - 1), estimated
        # The first occurrence of the `until` event on or after this start closes the span.
        later = [
            span for year in (start.year, start.year + 1) for span in self.starting_in(rule["until"], year)
        ]
        closing = next((span for span in later if span[0] >= start), None)
        if closing is None:
            return None  # beyond the lunar tables
        end = closing[0] + timedelta(days=rule["until_offset_days"])
        return (start, end, estimated or closing[2]) if end >= start else None


@lru_cache(maxsize=64)
def _all_occurrences(rules: tuple[EventRule, ...], years: tuple[int, ...]) -> tuple[EventOccurrence, ...]:
    spans = _Spans(rules)
    found = [
        EventOccurrence(
            key=rule.key,
            name=rule.name,
            kind=rule.kind,
            start=start,
            end=end,
            countries=rule.countries,
            source=rule.source,
            estimated=estimated,
        )
        for year in years
        for rule in rules
        for start, end, estimated in spans.starting_in(rule.key, year)
    ]
    return tuple(sorted(found, key=lambda occurrence: (occurrence.start, occurrence.end, occurrence.key)))


def occurrences(
    rules: Sequence[EventRule], years: Iterable[int], country_code: str | None = None
) -> list[EventOccurrence]:
    """Occurrences starting in `years`, sorted by start; only those for `country_code` when given."""
    rules, years = tuple(rules), tuple(sorted(set(years)))
    if country_code is None:
        return list(_all_occurrences(rules, years))
    return list(_country_occurrences(rules, years, country_code.strip().upper()))


@lru_cache(maxsize=1024)  # countries × year spans shown
def _country_occurrences(
    rules: tuple[EventRule, ...], years: tuple[int, ...], country_code: str
) -> tuple[EventOccurrence, ...]:
    """One country's share of the occurrences: a calendar of many countries asks for each in turn."""
    return tuple(o for o in _all_occurrences(rules, years) if o.applies_to(country_code))


def events_between(
    rules: Sequence[EventRule], start: date, end: date, country_code: str | None = None
) -> list[EventOccurrence]:
    """Every occurrence overlapping [start, end], including one that began before `start`."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    # Two years back catches the longest spans (a year-long `days`, or `until` an event a year later).
    candidates = occurrences(rules, range(start.year - 2, end.year + 1), country_code)
    return [occurrence for occurrence in candidates if occurrence.start <= end and occurrence.end >= start]
