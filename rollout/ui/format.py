"""Formatting through babel, in the viewer's locale: the one place dates, numbers, amounts and labels
are written for people.

Calendar dates never pass through a time zone: tables get them as text written here (Streamlit's
"localized" date format converts a date to midnight UTC and prints it in the browser's zone, a day early
west of UTC). Editable date columns use a pattern, which Streamlit prints in UTC, so the day stays the day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time, get_timezone_location
from babel.numbers import format_currency, format_decimal, format_percent

from rollout.gates.portfolio import evidence_frame
from rollout.gates.status import CriterionResult


def format_day(day: date | None, locale: str) -> str:
    return babel_format_date(day, format="medium", locale=locale) if day else "—"


def format_date_cell(day: date | None, locale: str) -> str:
    """A date in a table cell: an empty cell when there is none."""
    return (
        ""
        if day is None or _missing(day)
        else babel_format_date(_as_date(day), format="medium", locale=locale)
    )


def zone_label(zone: str, locale: str) -> str:
    """A time zone named for people: "São Paulo", "UTC"."""
    if zone.upper() in ("UTC", "ETC/UTC", "GMT"):
        return "UTC"
    return get_timezone_location(zone, locale=locale, return_city=True)


def format_moment(at: datetime | None, locale: str, zone: str = "UTC") -> str:
    """An instant in a named zone: "Dec 2, 2026, 1:34 PM (Sao Paulo)". Naive values are UTC (as stored)."""
    if at is None or _missing(at):
        return ""
    at = pd.Timestamp(at).to_pydatetime()
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(_zone(zone))
    day = babel_format_date(local.date(), format="medium", locale=locale)
    return f"{day}, {format_time(local, format='short', locale=locale)} ({zone_label(zone, locale)})"


def format_count(value: float | Decimal | None, locale: str) -> str:
    """A count: whole, with grouping ("1,131"), never "1.131 pieces"."""
    return "" if value is None or _missing(value) else format_decimal(round(value), locale=locale)


def format_number(value: float | Decimal | None, locale: str, digits: int = 1) -> str:
    if value is None or _missing(value):
        return ""
    return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=locale)


def format_share(value: float | Decimal | None, locale: str) -> str:
    """A fraction as a percentage in the viewer's locale: 0.0184 → "1.8%" (en), "1,8 %" (de)."""
    if value is None or _missing(value):
        return ""
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]  # "#,##0 %" in de
    at = pattern.rindex("0") + 1
    return format_percent(value, format=pattern[:at] + ".#" + pattern[at:], locale=locale)


def format_money(value: float | Decimal | None, currency: str, locale: str) -> str:
    """An amount with its currency and grouping: "€99,000.00"."""
    if value is None or _missing(value):
        return ""
    return format_currency(value, currency, locale=locale) if currency else format_number(value, locale, 2)


def format_amount(value: float | Decimal | None, unit: str, currency: str, locale: str) -> str:
    if value is None:
        return "—"
    if unit == "currency":
        return format_currency(value, currency, locale=locale, format_type="standard")
    if unit == "share":
        return format_share(value, locale)
    if unit == "count":
        return format_count(value, locale)
    return format_number(value, locale)


def format_criterion_value(criterion: CriterionResult, currency: str, locale: str) -> str:
    if criterion.kind == "check":
        return "ticked" if criterion.met else "not ticked"
    if not criterion.measured:
        return "not measured yet"
    return format_amount(criterion.value, criterion.unit, currency, locale)


MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$=])")
# Streamlit's Markdown turns bare URLs into links even when their punctuation is escaped; an invisible
# word joiner after the scheme or "www" keeps them text. (Emails are left whole: people copy them.)
AUTOLINK_STARTS = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text shown literally where Streamlit would read Markdown (headers, labels): escape every
    Markdown special character, so a name like [x](https://…) stays text, not a link, and break
    the autolinks of bare URLs."""
    unlinked = AUTOLINK_STARTS.sub(r"\1" + WORD_JOINER, text)
    return MARKDOWN_SPECIALS.sub(r"\\\1", unlinked)


def evidence_table(criteria: list[dict], currency: str, locale: str) -> pd.DataFrame:
    """A gate's criteria, live or frozen in a decision, with values in the viewer's locale."""
    table = evidence_frame(criteria)
    for column in ("value", "threshold", "projected"):
        table[column] = [_evidence_cell(c, column, currency, locale) for c in criteria]
    return table


def _evidence_cell(criterion: dict, column: str, currency: str, locale: str) -> str:
    value = criterion.get(column)
    if criterion["kind"] == "condition":
        return ("cleared" if criterion["met"] else "owed") if column == "value" else ""
    if criterion["kind"] == "check":
        return ("ticked" if criterion["met"] else "not ticked") if column == "value" else ""
    if value is None:
        return "not measured yet" if column == "value" else ""
    return format_amount(value, criterion.get("unit", "count"), currency, locale)


SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def words(name: str) -> str:
    """A code as words for people: "median_days" → "Median days", "case_study" → "Case study"."""
    if SNAKE.match(name) or name.islower():
        return name.replace("_", " ").capitalize()
    return name


def display_frame(frame: pd.DataFrame, locale: str, zone: str = "UTC") -> pd.DataFrame:
    """A table as people read it: dates and instants as text in the viewer's locale (instants in the
    named `zone`), numbers with the locale's separators (counts whole), an empty cell for a missing value.

    Rows keep their order: frames come sorted (by date where dates matter), and the text keeps that order.
    Whole-number columns without gaps stay numbers so they still sort as numbers when clicked.
    """
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = _display_column(shown[column], locale, zone)
    return shown


def _display_column(values: pd.Series, locale: str, zone: str) -> pd.Series:
    present = values.dropna()
    if pd.api.types.is_bool_dtype(values) or present.empty and not pd.api.types.is_object_dtype(values):
        return values
    if pd.api.types.is_datetime64_any_dtype(values):
        if values.dt.tz is None and (present.dt.normalize() == present).all():  # dates held as midnights
            return values.map(lambda v: format_date_cell(v, locale))
        return values.map(lambda v: format_moment(v, locale, zone))
    if _all(present, datetime):
        return values.map(lambda v: format_moment(v, locale, zone))
    if _all(present, date):
        return values.map(lambda v: format_date_cell(v, locale))
    if pd.api.types.is_numeric_dtype(values):
        whole = bool((present == present.round()).all())
        if whole and len(present) == len(values):
            return values.astype("int64")
        return values.map(lambda v: format_count(v, locale) if whole else format_number(v, locale, 2))
    return values.map(lambda v: "" if _missing(v) else v)


def _all(values: pd.Series, kind: type) -> bool:
    return not values.empty and all(isinstance(v, kind) for v in values)


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(cast(Any, value)))
    except (TypeError, ValueError):  # a list or array is a value
        return False


def _as_date(value: date | datetime | pd.Timestamp) -> date:
    return value.date() if isinstance(value, datetime) else value


def _zone(zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def editor_date_format(locale: str) -> str:
    """The viewer's date pattern for an editable date column (Streamlit prints it with moment.js, in
    UTC). Moment spells month names in English only: other languages get CLDR's numeric pattern."""
    cldr = Locale.parse(locale)
    pattern = cldr.date_formats["medium"].pattern
    if "MMM" in pattern and cldr.language != "en":
        pattern = cldr.date_formats["short"].pattern
    return _moment_pattern(pattern)


def _moment_pattern(cldr: str) -> str:
    tokens = re.findall(r"'[^']*'|y+|M+|d+|[^yMd']+", cldr)
    moment = {"y": "YYYY", "yy": "YYYY", "yyyy": "YYYY", "d": "D", "dd": "DD"}
    return "".join(f"[{t[1:-1]}]" if t.startswith("'") else moment.get(t, t) for t in tokens if t != "''")
