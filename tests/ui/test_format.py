"""The formatting module: dates are the stored days in the viewer's locale, numbers and money in its
conventions, counts whole, a missing value an empty cell, codes written as words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from rollout.ui.format import (
    display_frame,
    editor_date_format,
    format_amount,
    format_count,
    format_date_cell,
    format_moment,
    format_money,
    format_share,
    words,
)

CHRISTMAS_EVE = date(2026, 12, 24)


@pytest.mark.parametrize(
    ("locale", "shown"),
    [("en", "Dec 24, 2026"), ("de", "24.12.2026"), ("pt", "24 de dez. de 2026"), ("ja", "2026/12/24")],
)
def test_a_date_is_written_in_the_viewers_locale(locale, shown):
    assert format_date_cell(CHRISTMAS_EVE, locale) == shown


def test_a_date_held_as_midnight_is_the_same_day_not_shifted_by_a_zone():
    # pandas keeps calendar dates as midnight datetimes: the day stays the day in every zone.
    frame = pd.DataFrame({"gate_due": pd.to_datetime(["2026-12-23", None])})
    assert display_frame(frame, "en", zone="America/Sao_Paulo")["gate_due"].tolist() == ["Dec 23, 2026", ""]


def test_a_moment_is_shown_in_a_named_zone():
    at = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)
    assert format_moment(at, "en", "America/Sao_Paulo") == "Dec 1, 2026, 10:30\u202fPM (Sao Paulo)"
    assert (
        format_moment(at.replace(tzinfo=None), "en") == "Dec 2, 2026, 1:30\u202fAM (UTC)"
    )  # stored naive UTC


def test_money_carries_its_currency_and_grouping():
    assert format_money(99000, "EUR", "en") == "€99,000.00"
    assert format_money(99000, "EUR", "de") == "99.000,00\xa0€"
    assert format_amount(99000, "currency", "EUR", "en") == "€99,000.00"


def test_counts_are_whole_and_shares_follow_the_locale():
    assert format_count(28.622, "en") == "29"
    assert format_count(1131.4, "de") == "1.131"
    assert format_amount(1.131, "count", "EUR", "en") == "1"
    assert format_share(0.0184, "en") == "1.8%"
    assert format_share(0.0184, "de") == "1,8\xa0%"


def test_a_table_has_empty_cells_not_none_and_whole_numbers_stay_numbers():
    frame = pd.DataFrame(
        {"owner": ["ana@x.example", None], "days": [3, 12], "deals": [2.0, None], "on": [CHRISTMAS_EVE, None]}
    )
    shown = display_frame(frame, "en")
    assert shown["owner"].tolist() == ["ana@x.example", ""]
    assert shown["days"].dtype == "int64"
    assert shown["deals"].tolist() == ["2", ""]
    assert shown["on"].tolist() == ["Dec 24, 2026", ""]


@pytest.mark.parametrize(
    ("code", "label"),
    [("median_days", "Median days"), ("website_page", "Website page"), ("case_study", "Case study")],
)
def test_codes_read_as_words(code, label):
    assert words(code) == label


def test_labels_written_for_people_are_kept():
    assert words("Gate due") == "Gate due"
    assert words("CRM id") == "CRM id"


@pytest.mark.parametrize(
    ("locale", "pattern"), [("en", "MMM D, YYYY"), ("de", "DD.MM.YYYY"), ("fr", "DD/MM/YYYY")]
)
def test_editable_date_columns_get_the_locales_pattern(locale, pattern):
    assert editor_date_format(locale) == pattern
