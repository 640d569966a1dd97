"""Exchange rates: the ECB CSV layouts, conversions on a day, and storing rates (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import AuditEntry, ExchangeRate
from rollout.sales.money import (
    DEMO_RATES,
    MissingRate,
    Rate,
    RateBook,
    latest_rates,
    parse_rates_csv,
    rate_book,
    require_currency,
    save_rates,
    set_rate,
)
from tests.conftest import ACTOR
from tests.factories import count
from tests.sales_factories import HAND_RATES, load_rates

FRIDAY, SATURDAY, SUNDAY, MONDAY = (
    date(2026, 11, 20),
    date(2026, 11, 21),
    date(2026, 11, 22),
    date(2026, 11, 23),
)

ECB_HIST = b"""Date,USD,JPY,BGN,CYP,INR,
2026-11-20,1.1600,176.50,1.9558,N/A,98.1500,
2026-11-19,1.1500,175.00,1.9558,N/A,N/A,
"""
ECB_DAILY = b"""Date, USD, JPY, BGN, CZK, INR, \r
26 November 2026, 1.0550, 162.77, 1.9558, 25.221, 97.4120, \r
"""


# --- parsing ----------------------------------------------------------------------------------------


def test_ecb_hist_layout_with_trailing_comma_and_na_cells():
    rates = parse_rates_csv(ECB_HIST)
    assert rates == [
        Rate("USD", date(2026, 11, 20), Decimal("1.1600")),
        Rate("JPY", date(2026, 11, 20), Decimal("176.50")),
        Rate("BGN", date(2026, 11, 20), Decimal("1.9558")),
        Rate("INR", date(2026, 11, 20), Decimal("98.1500")),
        Rate("USD", date(2026, 11, 19), Decimal("1.1500")),
        Rate("JPY", date(2026, 11, 19), Decimal("175.00")),
        Rate("BGN", date(2026, 11, 19), Decimal("1.9558")),
    ]


def test_ecb_daily_layout_with_spaces_and_written_out_dates():
    rates = parse_rates_csv(ECB_DAILY)
    assert [(r.currency, r.day, r.per_eur) for r in rates] == [
        ("USD", date(2026, 11, 26), Decimal("1.0550")),
        ("JPY", date(2026, 11, 26), Decimal("162.77")),
        ("BGN", date(2026, 11, 26), Decimal("1.9558")),
        ("CZK", date(2026, 11, 26), Decimal("25.221")),
        ("INR", date(2026, 11, 26), Decimal("97.4120")),
    ]


def test_byte_order_mark_and_blank_lines_are_ignored():
    rates = parse_rates_csv(b"\xef\xbb\xbfDate,USD\n\n2026-11-20,1.16\n,\n")
    assert rates == [Rate("USD", date(2026, 11, 20), Decimal("1.16"))]


def test_the_shipped_demo_rates_parse():
    rates = parse_rates_csv(DEMO_RATES.read_bytes())
    assert len(rates) == 23 * 9
    assert Rate("INR", date(2026, 11, 2), Decimal("103.5880")) in rates


def test_bad_cells_refuse_the_whole_file_naming_line_and_column():
    content = (
        b"Date,USD,JPY,\n2026-11-20,1.16,abc,\n2026-11-19,0,175,\n19/11/2026,1.15,175,\n"
        b"2026-11-18,-1,1e400x,\n"
    )
    with pytest.raises(RolloutError) as error:
        parse_rates_csv(content, "eurofxref-hist.csv")
    assert str(error.value) == (
        "eurofxref-hist.csv: nothing imported. line 2, JPY: 'abc' is not a positive rate; "
        "line 3, USD: '0' is not a positive rate; "
        "line 4, Date: '19/11/2026' is not a date (YYYY-MM-DD or '26 November 2026'); "
        "line 5, USD: '-1' is not a positive rate; line 5, JPY: '1e400x' is not a positive rate"
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-0.5"])
def test_non_finite_or_negative_rates_are_refused(value):
    with pytest.raises(RolloutError, match=f"line 2, USD: '{value}' is not a positive rate"):
        parse_rates_csv(f"Date,USD\n2026-11-20,{value}\n".encode())


def test_unknown_currency_in_the_header_is_refused():
    with pytest.raises(RolloutError, match=r"^rates\.csv, line 1: 'XYZ' is not an ISO 4217 currency code"):
        parse_rates_csv(b"Date,USD,XYZ\n2026-11-20,1.16,2\n", "rates.csv")


@pytest.mark.parametrize("content", [b"Day,USD\n2026-11-20,1.16\n", b"USD,JPY\n1,2\n"])
def test_a_file_not_starting_with_date_is_refused(content):
    with pytest.raises(RolloutError, match="line 1 must start with 'Date' followed by currency codes"):
        parse_rates_csv(content)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "rates.csv: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "rates.csv: byte 8 is a NUL: this is a binary file"),
        (b"PK\x03\x04eurofxref-hist.csv", "rates.csv: a zip archive, not a CSV file; unzip it first"),
    ],
)
def test_a_file_that_is_no_csv_text_is_refused_before_reading(content, expected):
    with pytest.raises(RolloutError, match=f"^{re.escape(expected)}"):
        parse_rates_csv(content, "rates.csv")


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(RolloutError, match=r"not UTF-8 text \(byte 1\)"):
        parse_rates_csv(b"D\xe4te,USD\n")


# --- converting -------------------------------------------------------------------------------------


@pytest.fixture
def book() -> RateBook:
    return RateBook(
        [
            Rate("USD", FRIDAY, Decimal("1.20")),
            Rate("USD", MONDAY, Decimal("1.25")),
            Rate("GBP", FRIDAY, Decimal("0.80")),
            Rate("INR", date(2026, 9, 1), Decimal("110")),
            Rate("INR", date(2026, 6, 1), Decimal("100")),  # out of order on purpose
        ]
    )


def test_the_weekend_takes_fridays_rate(book):
    assert book.per_eur("USD", SATURDAY) == Decimal("1.20")
    assert book.convert(Decimal("120"), "USD", "EUR", SUNDAY) == Decimal("100.00")
    assert book.convert(Decimal("125"), "USD", "EUR", MONDAY) == Decimal("100.00")


def test_the_latest_rate_on_or_before_the_day(book):
    assert book.convert(Decimal("220000"), "INR", "EUR", date(2026, 8, 31)) == Decimal("2200.00")
    assert book.convert(Decimal("220000"), "INR", "EUR", date(2026, 9, 1)) == Decimal("2000.00")
    assert book.convert(Decimal("220000"), "INR", "EUR", date(2026, 9, 15)) == Decimal("2000.00")


def test_euro_is_always_one(book):
    assert book.per_eur("EUR", date(1999, 1, 1)) == 1
    assert book.convert(Decimal("12.34"), "EUR", "EUR", date(1999, 1, 1)) == Decimal("12.34")
    assert book.convert(Decimal("10"), "EUR", "USD", FRIDAY) == Decimal("12.00")


def test_cross_rates_go_through_the_euro(book):
    # 100 GBP = 125 EUR = 150 USD on Friday
    assert book.convert(Decimal("100"), "GBP", "USD", FRIDAY) == Decimal("150.00")
    assert book.convert(Decimal("150"), "USD", "GBP", SATURDAY) == Decimal("100.00")
    assert book.convert(Decimal("1"), "USD", "INR", FRIDAY) == Decimal("91.67")  # 110 / 1.2, in cents


def test_before_the_first_rate_is_missing(book):
    with pytest.raises(MissingRate) as error:
        book.convert(Decimal("1"), "USD", "EUR", date(2026, 11, 19))
    assert str(error.value) == (
        "no USD exchange rate on or before 2026-11-19: add one on the Exchange rates page"
    )
    with pytest.raises(MissingRate, match="no JPY exchange rate on or before 2026-11-26"):
        book.convert(Decimal("1"), "EUR", "JPY", date(2026, 11, 26))


def test_require_currency():
    assert require_currency(" inr ") == "INR"
    with pytest.raises(RolloutError, match="^rate: 'ABC' is not an ISO 4217 currency code"):
        require_currency("ABC", "rate")


# --- storing ----------------------------------------------------------------------------------------


def stored(engine) -> dict[tuple[str, date], tuple[Decimal, str]]:
    with read_session(engine) as session:
        return {(r.currency, r.day): (r.per_eur, r.source) for r in session.exec(select(ExchangeRate))}


def test_save_rates_round_trips_through_the_database(engine):
    load_rates(engine)
    assert stored(engine) == {(r.currency, r.day): (r.per_eur, "test") for r in HAND_RATES}
    with read_session(engine) as session:
        book = rate_book(session)
    assert book.convert(Decimal("220000"), "INR", "EUR", date(2026, 9, 15)) == Decimal("2000.00")


def test_save_rates_replaces_the_rate_of_the_same_currency_and_day(engine):
    load_rates(engine, [Rate("USD", FRIDAY, Decimal("1.2")), Rate("USD", MONDAY, Decimal("1.25"))])
    with write_session(engine) as session:
        written = save_rates(
            session,
            [Rate("USD", FRIDAY, Decimal("1.1985")), Rate("JPY", FRIDAY, Decimal("176.5"))],
            by=ACTOR,
            source="ecb",
        )
    assert written == 2
    assert count(engine, ExchangeRate) == 3
    assert stored(engine) == {
        ("USD", FRIDAY): (Decimal("1.198500"), "ecb"),
        ("USD", MONDAY): (Decimal("1.250000"), "test"),
        ("JPY", FRIDAY): (Decimal("176.500000"), "ecb"),
    }


def test_the_same_currency_and_day_twice_in_one_batch_keeps_the_last(engine):
    """BUG: save_rates only looks up rows already in the database, so a repeated (currency, day) in
    one batch (e.g. a file holding the same date twice) inserts two rows and fails on the primary key."""
    with write_session(engine) as session:
        save_rates(
            session,
            [Rate("USD", FRIDAY, Decimal("1.2")), Rate("USD", FRIDAY, Decimal("1.3"))],
            by=ACTOR,
            source="ecb",
        )
    assert stored(engine) == {("USD", FRIDAY): (Decimal("1.300000"), "ecb")}


def test_save_rates_needs_an_email(engine):
    with pytest.raises(RolloutError, match="'robot' is not an email address"), write_session(engine) as s:
        save_rates(s, list(HAND_RATES), by="robot", source="ecb")
    assert count(engine, ExchangeRate) == 0


def test_set_rate(engine):
    with write_session(engine) as session:
        set_rate(session, currency="usd", day=FRIDAY, per_eur=Decimal("1.2"), by=ACTOR)
    assert stored(engine) == {("USD", FRIDAY): (Decimal("1.200000"), "manual")}


def test_a_rate_typed_by_hand_is_audited_from_the_app_and_a_file_as_an_import(engine):
    with write_session(engine) as session:
        set_rate(session, currency="USD", day=FRIDAY, per_eur=Decimal("1.2"), by=ACTOR)
    with write_session(engine) as session:
        save_rates(session, list(HAND_RATES), by=ACTOR, source="ecb")
    with read_session(engine) as session:
        sources = session.exec(
            select(AuditEntry.source)
            .where(AuditEntry.table_name == ExchangeRate.__tablename__)
            .order_by(AuditEntry.id)
        ).all()
    assert sources[0] == "ui" and set(sources[1:]) == {"import"}


@pytest.mark.parametrize(
    ("currency", "per_eur", "message"),
    [
        ("EUR", Decimal("1"), "currency: EUR is the base of every rate (always 1)"),
        ("eur", Decimal("2"), "currency: EUR is the base of every rate (always 1)"),
        ("USD", Decimal("0"), "rate: must be positive, not 0"),
        ("USD", Decimal("-1.2"), "rate: must be positive, not -1.2"),
        ("XYZ", Decimal("1"), "currency: 'XYZ' is not an ISO 4217 currency code"),
    ],
)
def test_set_rate_refuses_the_euro_and_non_positive_rates(engine, currency, per_eur, message):
    with pytest.raises(RolloutError) as error, write_session(engine) as session:
        set_rate(session, currency=currency, day=FRIDAY, per_eur=per_eur, by=ACTOR)
    assert str(error.value) == message
    assert count(engine, ExchangeRate) == 0


def test_latest_rates_gives_the_newest_of_each_currency(engine):
    load_rates(engine)
    load_rates(engine, [Rate("USD", FRIDAY, Decimal("1.2")), Rate("USD", date(2025, 12, 31), Decimal("1.1"))])
    latest = [(r.currency, r.day, r.per_eur) for r in latest_rates_of(engine)]
    assert latest == [
        ("GBP", date(2026, 1, 1), Decimal("0.800000")),
        ("INR", date(2026, 9, 1), Decimal("110.000000")),
        ("USD", FRIDAY, Decimal("1.200000")),
    ]


def test_latest_rates_of_an_empty_database(engine):
    assert latest_rates_of(engine) == []


def latest_rates_of(engine) -> list[ExchangeRate]:
    with read_session(engine) as session:
        rates = latest_rates(session)
        session.expunge_all()
    return rates
