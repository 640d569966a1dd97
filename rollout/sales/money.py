"""Amounts in their own currency, converted for reporting with dated exchange rates.

Rates follow the ECB's convention: units of a currency for one euro on a day. A conversion on a day
uses the latest rate on or before that day, so weekends and holidays take Friday's rate.
"""

from __future__ import annotations

import csv
import io
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.platform import audit
from rollout.platform.access import Action, authorize
from rollout.platform.config_files import data_file
from rollout.platform.errors import RolloutError
from rollout.platform.models import ExchangeRate, utc_now
from rollout.platform.uploads import check_upload

EURO = "EUR"
CENT = Decimal("0.01")
DEMO_RATES = data_file("rates.csv")


class MissingRate(RolloutError):
    def __init__(self, currency: str, on: date) -> None:
        super().__init__(
            f"no {currency} exchange rate on or before {on.isoformat()}: add one on the Exchange rates page"
        )
        self.currency = currency


@dataclass(frozen=True)
class Rate:
    currency: str
    day: date
    per_eur: Decimal


def require_currency(code: str, where: str = "currency") -> str:
    cleaned = (code or "").strip().upper()
    if cleaned not in list_currencies():
        raise RolloutError(f"{where}: '{code}' is not an ISO 4217 currency code")
    return cleaned


class RateBook:
    """All known rates in memory, for converting many amounts without a query each."""

    def __init__(self, rates: list[Rate]) -> None:
        by_currency: dict[str, list[Rate]] = defaultdict(list)
        for rate in sorted(rates, key=lambda r: (r.currency, r.day)):
            by_currency[rate.currency].append(rate)
        self._days = {code: [r.day for r in rs] for code, rs in by_currency.items()}
        self._values = {code: [r.per_eur for r in rs] for code, rs in by_currency.items()}

    def per_eur(self, currency: str, on: date) -> Decimal:
        if currency == EURO:
            return Decimal(1)
        days = self._days.get(currency, [])
        position = bisect_right(days, on)
        if position == 0:
            raise MissingRate(currency, on)
        return self._values[currency][position - 1]

    def convert(self, amount: Decimal, source: str, target: str, on: date) -> Decimal:
        if source == target:
            return amount
        in_euros = amount / self.per_eur(source, on)
        return (in_euros * self.per_eur(target, on)).quantize(CENT)


def rate_book(session: Session) -> RateBook:
    """All rates, read once per session: a portfolio evaluation converts for every country and metric."""
    if "rate_book" not in session.info:
        rows = session.exec(
            select(col(ExchangeRate.currency), col(ExchangeRate.day), col(ExchangeRate.per_eur))
        )
        session.info["rate_book"] = RateBook(
            [Rate(currency, day, per_eur) for currency, day, per_eur in rows]
        )
    return session.info["rate_book"]


def _ecb_date(text: str) -> date | None:
    """eurofxref-hist.csv writes 2026-11-26; the daily eurofxref.csv writes 26 November 2026."""
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d %B %Y").date()):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None


def parse_rates_csv(content: bytes, source: str = "rates file") -> list[Rate]:
    """Rates in the ECB reference-rate CSV layout (eurofxref-hist.csv): Date,USD,JPY,… one row a day.

    Empty and "N/A" cells (currencies not quoted that day) are skipped. Any other bad cell refuses the
    whole file, naming its line and column.
    """
    check_upload(content, source, kinds=("csv",))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RolloutError(f"{source}: not UTF-8 text (byte {error.start})") from error
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    if not header or header[0].lower() != "date":
        raise RolloutError(f"{source}: line 1 must start with 'Date' followed by currency codes")
    currencies = [require_currency(code, f"{source}, line 1") if code else "" for code in header[1:]]
    rates, problems = [], []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = _ecb_date(row[0])
        if day is None:
            problems.append(f"line {line}, Date: '{row[0]}' is not a date (YYYY-MM-DD or '26 November 2026')")
            continue
        for currency, cell in zip(currencies, row[1:], strict=False):
            value = cell.strip()
            if not currency or value in ("", "N/A"):
                continue
            try:
                per_eur = Decimal(value)
            except InvalidOperation:
                per_eur = Decimal(-1)
            if not per_eur.is_finite() or per_eur <= 0:
                problems.append(f"line {line}, {currency}: '{value}' is not a positive rate")
                continue
            rates.append(Rate(currency, day, per_eur))
    if problems:
        raise RolloutError(f"{source}: nothing imported. " + "; ".join(problems[:20]))
    return rates


def save_rates(session: Session, rates: list[Rate], *, by: str, source: str) -> int:
    """Insert or replace the rates of a file (one per currency and day), audited as an import;
    returns how many were written."""
    audit.record_as_import(session)
    return _write_rates(session, rates, by=by, source=source)


def _write_rates(session: Session, rates: list[Rate], *, by: str, source: str) -> int:
    by = authorize(session, by, Action.MANAGE_SETTINGS)
    now = utc_now()
    session.info.pop("rate_book", None)  # rates change: the next conversion reads them again
    existing = {(r.currency, r.day): r for r in session.exec(select(ExchangeRate))}
    for rate in rates:
        key = (rate.currency, rate.day)
        row = existing.get(key) or ExchangeRate(
            currency=rate.currency, day=rate.day, per_eur=rate.per_eur, updated_at=now, updated_by=by
        )
        existing[key] = row  # a file giving one day twice: the last value wins
        row.per_eur, row.source, row.updated_at, row.updated_by = rate.per_eur, source, now, by
        session.add(row)
    session.flush()
    return len(rates)


def set_rate(session: Session, *, currency: str, day: date, per_eur: Decimal, by: str) -> None:
    currency = require_currency(currency)
    if currency == EURO:
        raise RolloutError("currency: EUR is the base of every rate (always 1)")
    if per_eur <= 0:
        raise RolloutError(f"rate: must be positive, not {per_eur}")
    # Typed by hand: audited with the session's own source (the app, the CLI), not as an import.
    _write_rates(session, [Rate(currency, day, Decimal(per_eur))], by=by, source="manual")


def latest_rates(session: Session) -> list[ExchangeRate]:
    """The newest rate of each currency."""
    newest = (
        select(col(ExchangeRate.currency), func.max(ExchangeRate.day).label("day"))
        .group_by(col(ExchangeRate.currency))
        .subquery()
    )
    query = (
        select(ExchangeRate)
        .join(
            newest,
            (col(ExchangeRate.currency) == newest.c.currency) & (col(ExchangeRate.day) == newest.c.day),
        )
        .order_by(col(ExchangeRate.currency))
    )
    return list(session.exec(query))
