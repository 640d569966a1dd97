"""Formatting through babel, in the viewer's locale."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal, format_percent

from rollout.gates.portfolio import evidence_frame
from rollout.gates.status import CriterionResult


def format_day(day: date | None, locale: str) -> str:
    return babel_format_date(day, format="medium", locale=locale) if day else "—"


def format_amount(value: float | Decimal | None, unit: str, currency: str, locale: str) -> str:
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
    if criterion["kind"] == "check":
        return ("ticked" if criterion["met"] else "not ticked") if column == "value" else ""
    if value is None:
        return "not measured yet" if column == "value" else ""
    return format_amount(value, criterion.get("unit", "count"), currency, locale)
