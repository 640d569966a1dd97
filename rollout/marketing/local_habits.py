"""Local working habits: each country's business hours, lunch break and usual webinar and email hours.

Read from rollout/data/local_habits.toml, where every rule cites its source; a country without a rule gets
the file's default. Every error names the file and the key at fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from rollout.platform.config_files import (
    ConfigFileError,
    data_file,
    read_text,
    reject_unknown_keys,
    require_key,
)
from rollout.platform.locales import is_iso_country

DEFAULT_LOCAL_HABITS = data_file("local_habits.toml")
FILE_KEYS = {"default", "countries"}
HABIT_KEYS = {"business_hours", "lunch", "webinar", "email", "source"}
EMAIL_CHANNELS = ("emailing",)


class LocalHabitsError(ConfigFileError):
    """The local habits file cannot be used."""


@dataclass(frozen=True)
class LocalHabits:
    business_hours: tuple[time, time]
    lunch: tuple[time, time] | None
    webinar: time
    email: time
    source: str

    def usual_time(self, channel: str) -> time:
        """The local hour a campaign of this channel usually goes out at."""
        return self.email if channel in EMAIL_CHANNELS else self.webinar

    def within_hours(self, start: time, end: time) -> bool:
        opens, closes = self.business_hours
        return opens <= start and end <= closes and start <= end

    def over_lunch(self, start: time, end: time) -> bool:
        return self.lunch is not None and start < self.lunch[1] and self.lunch[0] < end

    def hours_text(self) -> str:
        return f"{self.business_hours[0]:%H:%M}–{self.business_hours[1]:%H:%M}"


def _clock(value: Any, where: str) -> time:
    try:
        return datetime.strptime(value, "%H:%M").time()
    except (TypeError, ValueError):
        raise LocalHabitsError(f"{where}: {value!r} is not a time in HH:MM form") from None


def _span(raw: dict[str, Any], key: str, where: str) -> tuple[time, time]:
    value = require_key(raw, key, list, where, LocalHabitsError)
    if len(value) != 2:
        raise LocalHabitsError(f"{where}: '{key}' must be [start, end]")
    start, end = _clock(value[0], f"{where} {key}"), _clock(value[1], f"{where} {key}")
    if end <= start:
        raise LocalHabitsError(f"{where}: '{key}' ends at {end:%H:%M}, not after its start {start:%H:%M}")
    return start, end


def _habits(raw: Any, where: str) -> LocalHabits:
    if not isinstance(raw, dict):
        raise LocalHabitsError(f"{where}: must be a table")
    reject_unknown_keys(raw, HABIT_KEYS | {"code"}, where, LocalHabitsError)
    hours = _span(raw, "business_hours", where)
    lunch = _span(raw, "lunch", where) if "lunch" in raw else None
    if lunch and not (hours[0] <= lunch[0] and lunch[1] <= hours[1]):
        raise LocalHabitsError(f"{where}: 'lunch' must fall within 'business_hours'")
    habits = LocalHabits(
        business_hours=hours,
        lunch=lunch,
        webinar=_clock(require_key(raw, "webinar", str, where, LocalHabitsError), f"{where} webinar"),
        email=_clock(require_key(raw, "email", str, where, LocalHabitsError), f"{where} email"),
        source=require_key(raw, "source", str, where, LocalHabitsError).strip(),
    )
    if not habits.source:
        raise LocalHabitsError(f"{where}: 'source' must say where the habits come from")
    for usual in ("webinar", "email"):
        if not hours[0] <= getattr(habits, usual) < hours[1]:
            raise LocalHabitsError(f"{where}: the usual {usual} hour is outside 'business_hours'")
    return habits


@dataclass(frozen=True)
class HabitBook:
    default: LocalHabits
    by_country: dict[str, LocalHabits]

    def of(self, code: str) -> LocalHabits:
        return self.by_country.get(code.strip().upper(), self.default)


def parse_local_habits(text: str, source: str = "<local habits>") -> HabitBook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LocalHabitsError(f"{source}: {error}") from error
    reject_unknown_keys(raw, FILE_KEYS, source, LocalHabitsError)
    default = _habits(require_key(raw, "default", dict, source, LocalHabitsError), f"{source}: [default]")
    by_country: dict[str, LocalHabits] = {}
    for index, rule in enumerate(raw.get("countries", [])):
        code = require_key(rule, "code", str, f"{source}: countries[{index}]", LocalHabitsError)
        where = f"{source}: country '{code}'"
        if not is_iso_country(code) or code != code.upper():
            raise LocalHabitsError(f"{where}: 'code' must be an ISO 3166 alpha-2 code in capitals")
        if code in by_country:
            raise LocalHabitsError(f"{where}: appears twice")
        by_country[code] = _habits(rule, where)
    return HabitBook(default, by_country)


def local_habits(code: str, path: Path | str | None = None) -> LocalHabits:
    """The country's habits (the file's default where it has no rule)."""
    return load_local_habits(path).of(code)


def load_local_habits(path: Path | str | None = None) -> HabitBook:
    resolved = Path(path or DEFAULT_LOCAL_HABITS)
    return _load_cached(resolved, resolved.stat().st_mtime_ns if resolved.exists() else 0)


@cache
def _load_cached(path: Path, _mtime: int) -> HabitBook:
    return parse_local_habits(read_text(path, LocalHabitsError), source=str(path))
