"""Value parsers: amounts (with any currency written in them), dates, currency codes and segments.

A value that cannot be used raises BadValue, whose message is the problem sentence for the row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from babel.numbers import list_currencies

from rollout.sales.crm_files.limits import MAX_AMOUNT, MAX_VALUE_LENGTH

SEGMENT_SPELLINGS = {
    "smb": "smb",
    "sme": "smb",
    "small": "smb",
    "smallbusiness": "smb",
    "midmarket": "mid_market",
    "mid": "mid_market",
    "mm": "mid_market",
    "midsize": "mid_market",
    "midsized": "mid_market",
    "enterprise": "enterprise",
    "ent": "enterprise",
    "large": "enterprise",
    "largeenterprise": "enterprise",
}
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL"}
DATE_FORMS = "expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY"
AMOUNT_FORMS = "expected a number such as 1234.56, 1,234.56 or 1.234,56"


class BadValue(Exception):
    """A value that cannot be used; the message is the problem sentence."""


def shown(value: str) -> str:
    """A value quoted in a problem sentence, shortened so that a runaway cell stays readable."""
    return f"'{value}'" if len(value) <= 60 else f"'{value[:50]}…' ({len(value)} characters)"


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=4096)
def currency_code(raw: str) -> str | None:
    code = raw.strip()
    if not code:
        return None
    code = CURRENCY_SYMBOLS.get(code, code.upper())
    if code not in _currencies():
        raise BadValue(f"{shown(raw.strip())} is not an ISO 4217 currency code")
    return code


_SEGMENT_KEY = re.compile(r"[^0-9a-z]+")


def segment_of(raw: str) -> str | None:
    if not raw.strip():
        return None
    segment = SEGMENT_SPELLINGS.get(_SEGMENT_KEY.sub("", raw.casefold()))
    if segment is None:
        raise BadValue(f"{shown(raw.strip())} is not a segment (expected SMB, Mid-Market or Enterprise)")
    return segment


# An optional time after the date ("14:05", "2:05 PM", "14:05:00.123Z", "14:05+02:00"): ignored.
_TIME = (
    r"(?:,?[T\s]\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME + r"\Z")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})" + _TIME + r"\Z")
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + r"\Z")
_TIME_ONLY = re.compile(_TIME + r"\Z")


class DateColumn:
    """Reads one column's dates; slashed ones in the order the whole column shows (see the module doc)."""

    def __init__(self, values: Iterable[tuple[int, str]], day_first_by_default: bool) -> None:
        evidence: dict[bool, list[tuple[int, str]]] = {True: [], False: []}
        for line, raw in values:
            if "/" in raw and len(raw) <= MAX_VALUE_LENGTH:
                match = _SLASHED_DATE.match(raw.strip())
                if match:
                    first, second = int(match[1]), int(match[2])
                    if (first > 12) != (second > 12):
                        evidence[first > 12].append((line, raw.strip()))
        day_first, month_first = len(evidence[True]), len(evidence[False])
        self.day_first = day_first > month_first or (day_first == month_first and day_first_by_default)
        self.example = evidence[self.day_first][0] if evidence[self.day_first] else None
        self.cache: dict[str, date] = {}

    def parse(self, raw: str) -> date | None:
        found = self.cache.get(raw)
        if found is not None:
            return found
        value = raw.strip()
        if not value:
            return None
        if len(value) > MAX_VALUE_LENGTH:
            raise BadValue(f"{shown(value)} is not a date ({DATE_FORMS})")
        found = self._parse(value)
        self.cache[raw] = found
        return found

    def _parse(self, value: str) -> date:
        if value[4:5] == "-" == value[7:8] and _TIME_ONLY.match(value, 10):  # the common case, quickly
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                pass  # the general forms below say what is wrong
        if match := _ISO_DATE.match(value):
            year, month, day = int(match[1]), int(match[2]), int(match[3])
        elif match := _DOTTED_DATE.match(value):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
        elif match := _SLASHED_DATE.match(value):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            day, month = (first, second) if self.day_first else (second, first)
            if month > 12 and day <= 12 and self.example:
                raise BadValue(self._mixed_order(value, self.example))
        else:
            raise BadValue(f"{shown(value)} is not a date ({DATE_FORMS})")
        try:
            return date(year, month, day)
        except ValueError:
            raise BadValue(f"{shown(value)} is not a date: there is no such day") from None

    def _mixed_order(self, value: str, example_at: tuple[int, str]) -> str:
        line, example = example_at
        mine, theirs = ("month-first", "day-first") if self.day_first else ("day-first", "month-first")
        return (
            f"{shown(value)} is {mine} but this column's other dates are {theirs}, "
            f"like {shown(example)} on line {line}"
        )


_CENT = Decimal("0.01")
_PLAIN_AMOUNT = re.compile(r"\d{1,15}(?:\.\d{1,2})?\Z")
_CURRENCY_MARK = r"R\$|[€$£¥₹]|[A-Za-z]{3}"
_AMOUNT = re.compile(
    rf"(?P<minus>[-\u2212])?\s*(?P<before>{_CURRENCY_MARK})?\s*(?P<sign>[-\u2212+])?\s*"
    rf"(?P<number>\d(?:[\d.,'\u00a0\u202f\u2009 ]*\d)?)\s*(?P<after>{_CURRENCY_MARK})?\Z"
)
_SEPARATOR = re.compile(r"[.,'\u00a0\u202f\u2009 ]")


class AmountColumn:
    """Reads amounts, with any currency symbol or code written in them; see the module doc on "1,234"."""

    def __init__(self, decimal_comma: bool) -> None:
        self.decimal_comma = decimal_comma

    def parse(self, raw: str) -> tuple[Decimal, str | None]:
        value = raw.strip()
        if _PLAIN_AMOUNT.match(value):
            return Decimal(value).quantize(_CENT), None
        if not value:
            raise BadValue("empty: every deal needs an amount")
        if len(value) > MAX_VALUE_LENGTH:
            raise BadValue(f"{shown(value)} is not an amount ({AMOUNT_FORMS})")
        negative = value.startswith("(") and value.endswith(")")  # accounting notation
        match = _AMOUNT.match(value[1:-1].strip() if negative else value)
        if not match:
            raise BadValue(f"{shown(value)} is not an amount ({AMOUNT_FORMS})")
        currency = self._currency(match["before"], match["after"], value)
        amount = self._number(match["number"], value)
        if (negative or match["minus"] or match["sign"] in ("-", "\u2212")) and amount:
            raise BadValue(f"{shown(value)} is negative: an amount must be 0 or more")
        if amount >= MAX_AMOUNT:
            raise BadValue(f"{shown(value)} is too large: amounts must be below {MAX_AMOUNT:,}")
        return amount.quantize(_CENT, ROUND_HALF_UP), currency

    @staticmethod
    def _currency(before: str | None, after: str | None, value: str) -> str | None:
        codes = set()
        for mark in (before, after):
            if mark:
                code = CURRENCY_SYMBOLS.get(mark, mark.upper())
                if code not in _currencies():
                    raise BadValue(f"{shown(value)} is not an amount: '{mark}' is not a currency")
                codes.add(code)
        if len(codes) > 1:
            raise BadValue(f"{shown(value)} names two currencies")
        return codes.pop() if codes else None

    def _number(self, number: str, value: str) -> Decimal:
        separators = _SEPARATOR.findall(number)
        if not separators:
            return Decimal(number)
        groups = _SEPARATOR.split(number)
        decimal_mark = self._decimal_mark(separators, groups)
        fraction = groups.pop() if decimal_mark else ""
        grouping = separators[:-1] if decimal_mark else separators
        if "" in groups or len(set(grouping)) > 1 or (grouping and not _valid_groups(groups)):
            raise BadValue(f"{shown(value)} is not an amount ({AMOUNT_FORMS})")
        return Decimal("".join(groups) + ("." + fraction if fraction else ""))

    def _decimal_mark(self, separators: list[str], groups: list[str]) -> str | None:
        """The separator that is the decimal mark, or None when all of them group thousands."""
        last = separators[-1]
        if last not in ".,":
            return None
        if ("," if last == "." else ".") in separators:
            return last
        if separators.count(last) > 1:
            return None
        lone_mark = len(separators) == 1
        ambiguous = lone_mark and len(groups[1]) == 3 and len(groups[0]) <= 3 and groups[0][0] != "0"
        if ambiguous and (last == ",") != self.decimal_comma:
            return None
        return last


def _valid_groups(groups: list[str]) -> bool:
    """Thousands groups: 1-3 digits first, 3 last, 2 or 3 between (Indian lakh grouping)."""
    return 1 <= len(groups[0]) <= 3 and len(groups[-1]) == 3 and all(len(g) in (2, 3) for g in groups[1:-1])
