"""Charts speak the viewer's language: dates on axes and in hovers written by babel, numbers with the
locale's separators, and titles, legends and trace names in words, never codes."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from rollout.ui import charts
from rollout.ui.data import chart

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def test_a_long_date_axis_is_labelled_by_month_in_the_viewers_language():
    ticks = charts.date_ticks([date(2027, 1, 5), date(2027, 6, 20)], "de")
    assert ticks["ticktext"] == ["Jan. 2027", "Feb. 2027", "März 2027", "Apr. 2027", "Mai 2027", "Juni 2027"]
    assert ticks["tickvals"][2] == pd.Timestamp(2027, 3, 1)


def test_a_short_date_axis_is_labelled_by_week_and_a_long_one_keeps_a_dozen_labels():
    weeks = charts.date_ticks([date(2027, 3, 3), date(2027, 3, 20)], "en")
    assert weeks["ticktext"] == ["Mar 1", "Mar 8", "Mar 15"]
    assert len(charts.date_ticks([date(2026, 1, 5), date(2028, 12, 1)], "en")["ticktext"]) <= 12
    assert charts.date_ticks([], "en") == {}


def test_the_blocked_days_hover_writes_the_day_and_its_state_in_words():
    month = pd.DataFrame(
        {"country": ["DE", "DE"], "day": [date(2027, 3, 1), date(2027, 3, 2)], "state": [0, 2]}
    )
    figure = charts.blocked_days(month, locale="de")
    assert figure.data[0].hovertext == (["DE, 01.03.2027: open", "DE, 02.03.2027: holiday or quiet"],)
    assert figure.layout.xaxis.ticktext == ("1. März",)


def test_weekly_signals_hover_and_axis_in_the_viewers_locale():
    frame = pd.DataFrame(
        {"week": [date(2026, 11, 2), date(2026, 11, 9)], "kind": ["meeting"] * 2, "signals": [3, 4]}
    )
    spec = chart("weekly_signals", frame, locale="fr")
    assert spec["data"][0]["hovertext"] == ["2 nov. 2026", "9 nov. 2026"]
    assert spec["layout"]["xaxis"]["ticktext"] == ["2 nov.", "9 nov."]
    assert spec["layout"]["separators"] == ",\u202f"  # French: decimal comma, narrow no-break space
