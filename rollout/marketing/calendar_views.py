"""Tables behind the calendar views: a month grid, markets week by week, blocked days, an agenda."""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

import pandas as pd
from sqlmodel import Session

from rollout.marketing.local_calendar import (
    CalendarEntry,
    blocked_reasons,
    calendars,
    countries_of,
    weekend_days,
)
from rollout.platform.countries import display_name
from rollout.platform.locales import weekday_name

# Drawn from fonts every system has (no emoji font needed).
SYMBOLS = {"holiday": "⊘", "quiet": "◌", "opportunity": "★", "campaign": "►", "task": "□"}
OPEN, WEEKEND, BLOCKED = 0, 1, 2


@dataclass(frozen=True)
class DayCell:
    day: date
    in_month: bool
    state: int  # OPEN, WEEKEND or BLOCKED
    labels: tuple[str, ...]  # symbol and name of each entry that day


def symbol(entry: CalendarEntry) -> str:
    if entry.kind == "campaign":
        return SYMBOLS["campaign"]
    if entry.kind == "holiday":
        return SYMBOLS["holiday"] if entry.category == "public" else "·"
    return SYMBOLS.get(entry.category, "·")


def weekday_headers(first_week_day: int, locale: str) -> list[str]:
    return [weekday_name((first_week_day + i) % 7, locale) for i in range(7)]


def month_weeks(
    year: int,
    month: int,
    *,
    first_week_day: int,
    entries: Sequence[CalendarEntry],
    weekend: frozenset[int],
    locale: str = "en",
) -> list[list[DayCell]]:
    """The month as weeks starting on the country's first day of the week."""
    weeks = gregorian.Calendar(firstweekday=first_week_day).monthdatescalendar(year, month)
    return [[_cell(day, day.month == month, entries, weekend, locale) for day in week] for week in weeks]


def _cell(
    day: date, in_month: bool, entries: Sequence[CalendarEntry], weekend: frozenset[int], locale: str
) -> DayCell:
    labels = tuple(f"{symbol(e)} {e.label(locale)}" for e in entries if e.covers(day)) if in_month else ()
    return DayCell(day, in_month, _state(day, entries, weekend), labels)


def _state(day: date, entries: Sequence[CalendarEntry], weekend: frozenset[int]) -> int:
    return _state_of(blocked_reasons(day, entries, weekend))


def _state_of(reasons: Sequence[str]) -> int:
    if any(reason != "weekend" for reason in reasons):
        return BLOCKED
    return WEEKEND if reasons else OPEN


def blocked_days(session: Session, codes: Sequence[str], start: date, end: date, locale: str) -> pd.DataFrame:
    """One row per country and day: its state and the reasons, for a heat map or a week table."""
    found = calendars(session, codes, start, end, locale=locale, include=("holidays", "events"))
    rows = []
    for code, country in zip(codes, countries_of(session, codes), strict=True):
        weekend, entries, name = weekend_days(country), found[country.code], display_name(country, locale)
        for offset in range((end - start).days + 1):
            day = start + timedelta(days=offset)
            reasons = blocked_reasons(day, entries, weekend)
            rows.append(
                {
                    "code": code,
                    "country": name,
                    "day": day,
                    "state": _state_of(reasons),
                    "reasons": ", ".join(reasons),
                }
            )
    return pd.DataFrame(rows, columns=["code", "country", "day", "state", "reasons"])


def markets_week(blocked: pd.DataFrame, locale: str) -> pd.DataFrame:
    """Which markets are off on which day of a week: countries as rows, days as columns."""
    if blocked.empty:
        return pd.DataFrame()
    cells = blocked.assign(label=lambda f: f["reasons"].where(f["reasons"] != "", "open"))
    table = cells.pivot(index="country", columns="day", values="label")
    days = cast("list[date]", list(table.columns))  # pandas-stubs type all column labels as str
    table.columns = [f"{weekday_name(day.weekday(), locale)[:3]} {day.day}" for day in days]
    return table.reset_index()


AGENDA_LENGTHS = (30, 90, 180, 365)  # days an agenda can show
SEARCH_DAYS = 731  # a search looks two years ahead


def agenda_start(month_start: date, today: date) -> date:
    """Where an agenda of the chosen month begins: today in the current month, else the month's first day."""
    return today if month_start <= today < _next_month(month_start) else month_start


def _next_month(month_start: date) -> date:
    return (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)


def matching(entries: Sequence[CalendarEntry], text: str) -> list[CalendarEntry]:
    """The entries whose name, local name or note holds `text` (any case): "diwali" finds Diwali."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    return [e for e in entries if any(wanted in part.casefold() for part in (e.name, e.local_name, e.note))]


def agenda(entries: Sequence[CalendarEntry], locale: str = "en") -> pd.DataFrame:
    rows = [
        {
            "start": e.start,
            "end": e.end,
            "what": f"{symbol(e)} {e.label(locale)}",
            "local name": e.local_name,
            "kind": e.kind.replace("_", " "),
            "category": e.category,
            "note": e.note,
        }
        for e in entries
    ]
    return pd.DataFrame(rows, columns=["start", "end", "what", "local name", "kind", "category", "note"])
