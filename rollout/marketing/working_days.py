"""A market's working days, and playbook steps counted in them backward (or forward) from a campaign's date.

A day is not worked in a market when it falls on the market's weekend (its working week, e.g. Friday and
Saturday in Saudi Arabia), on a public holiday (national, or of the campaign's region), or in a quiet period
(rollout/data/events.toml and the market's local events): the same days the calendar marks as blocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from rollout.marketing.local_calendar import CalendarEntry, blocked_reasons, calendar_entries, weekend_days
from rollout.platform.countries import get_country
from rollout.platform.errors import RolloutError

# How far around a campaign's date the calendar is read: a step may sit 40 working days away and a quiet
# period of a month or more may lie between.
READ_AROUND_DAYS = 400
WEEKEND = "weekend"


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days one market (and region) works, from its calendar entries and weekend."""

    weekend: frozenset[int]  # 0 = Monday
    entries: tuple[CalendarEntry, ...]
    first: date  # the entries cover first…last
    last: date

    def reasons(self, day: date) -> list[str]:
        """Why the day is not worked (empty: a working day)."""
        if not self.first <= day <= self.last:
            raise RolloutError(
                f"date: {day.isoformat()} is too far from the campaign's date to count working days"
            )
        return blocked_reasons(day, self.entries, self.weekend)

    def is_working(self, day: date) -> bool:
        return not self.reasons(day)


def market_calendar(
    session: Session, code: str, around: date, subdivision: str | None = None
) -> WorkingCalendar:
    """The working calendar of a market (with its region's holidays) for the year or so around a date."""
    country = get_country(session, code)
    first, last = around - timedelta(days=READ_AROUND_DAYS), around + timedelta(days=READ_AROUND_DAYS)
    entries = calendar_entries(
        session, country.code, first, last, subdiv=subdivision or None, include=("holidays", "events")
    )
    return WorkingCalendar(weekend_days(country), tuple(e for e in entries if e.blocks), first, last)


@dataclass(frozen=True)
class Skipped:
    """A stretch of consecutive days passed over for one reason (a holiday, a quiet period)."""

    reason: str
    first: date
    last: date

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.reason} ({self.first.isoformat()})"
        return f"{self.reason} ({self.first.isoformat()} to {self.last.isoformat()})"


@dataclass(frozen=True)
class Counted:
    """A day `offset` working days from an anchor, and what pushed it away from the plain working week."""

    day: date
    offset: int
    moved_days: int  # calendar days further from the anchor than the weekend alone would put it
    skipped: tuple[Skipped, ...]  # the holidays and quiet periods passed over (weekends are the working week)

    @property
    def why(self) -> str:
        """Said to the user: empty when only weekends were passed over."""
        if not self.moved_days:
            return ""
        direction = "earlier" if self.offset < 0 else "later"
        reasons = "; ".join(str(s) for s in self.skipped)
        return f"moved {self.moved_days} day(s) {direction}, past {reasons}"


def count_working_days(calendar: WorkingCalendar, anchor: date, offset: int) -> Counted:
    """The day `offset` working days from `anchor` (negative: before it). Offset 0 is the anchor itself,
    worked or not: it is the campaign's own date, which the marketer chose."""
    day, counted, step = anchor, 0, (-1 if offset < 0 else 1)
    plain, plain_counted = anchor, 0
    passed: list[tuple[date, list[str]]] = []
    while counted < abs(offset):
        day += timedelta(days=step)
        reasons = calendar.reasons(day)
        if reasons:
            passed.append((day, reasons))
        else:
            counted += 1
    while plain_counted < abs(offset):  # the same count with the weekend alone, to say how far it moved
        plain += timedelta(days=step)
        plain_counted += plain.weekday() not in calendar.weekend
    return Counted(day, offset, abs((day - plain).days), _stretches(passed))


def _stretches(passed: Sequence[tuple[date, list[str]]]) -> tuple[Skipped, ...]:
    """The days passed over, by reason, each reason's consecutive days as one stretch (weekends left out)."""
    stretches: list[Skipped] = []
    for day, reasons in sorted(passed):
        for reason in dict.fromkeys(reasons):
            if reason == WEEKEND:
                continue
            same = next(
                (i for i, s in enumerate(stretches) if s.reason == reason and _follows(s.last, day)), None
            )
            if same is None:
                stretches.append(Skipped(reason, day, day))
            else:
                stretches[same] = Skipped(reason, stretches[same].first, day)
    return tuple(stretches)


def _follows(last: date, day: date) -> bool:
    return day - last == timedelta(days=1)
