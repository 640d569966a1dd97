"""Formatting through babel, in the viewer's locale."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, format_percent

from rollout.gates import CriterionResult


def format_day(day: date | None, locale: str) -> str:
    return babel_format_date(day, format="medium", locale=locale) if day else "—"


def format_amount(value: float | None, unit: str, currency: str, locale: str) -> str:
    if value is None:
        return "—"
    if unit == "currency":
        return format_currency(value, currency, locale=locale, format_type="standard")
    if unit == "share":
        return format_percent(value, locale=locale)
    return format_decimal(value, locale=locale)


def format_criterion_value(criterion: CriterionResult, currency: str, locale: str) -> str:
    if criterion.kind == "check":
        return "ticked" if criterion.met else "not ticked"
    if not criterion.measured:
        return "not measured yet"
    return format_amount(criterion.value, criterion.unit, currency, locale)
