"""AppTest: on the demo, every table of every page reads as words: headers are not codes in snake_case,
no cell says "None" or "nan", and dates are written out (never a raw datetime)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pandas as pd

from rollout.platform.db import get_engine, read_session
from rollout.platform.users import list_users
from rollout.ui.format import format_money
from tests.app.conftest import PAGES, assert_clean

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
LOCALE_TAG = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")  # hi_IN: a locale is shown by name, "Hindi (India)"
RAW = {"None", "nan", "NaN", "NaT"}


def headers(table) -> list[str]:
    """The headers the grid shows: the column config's label, else the column's name."""
    config = json.loads(table.proto.columns or "{}")
    return [
        (config.get(f"col:{column}") or config.get(str(column)) or {}).get("label") or str(column)
        for column in table.value.columns
    ]


def test_every_table_reads_as_words(demo_app):
    seen = 0
    for page in PAGES:
        demo_app.switch_page(page).run()
        assert_clean(demo_app)
        for table in demo_app.dataframe:
            if table.proto.editing_mode != table.proto.EditingMode.READ_ONLY:
                continue  # an editor keeps typed values (an empty date is a missing date) for saving
            seen += 1
            assert_reads_as_words(page, table)
    assert seen >= 10


def assert_reads_as_words(page: str, table) -> None:
    frame: pd.DataFrame = table.value
    assert not [h for h in headers(table) if SNAKE_CASE.match(h) or LOCALE_TAG.match(h)], (
        page,
        headers(table),
    )
    assert not [v for v in frame.astype(str).to_numpy().ravel() if LOCALE_TAG.match(v)], (page, frame.head())
    cells = {str(value) for column in frame.columns for value in frame[column] if not isinstance(value, bool)}
    assert not cells & RAW, (page, frame.head())
    assert not frame.isna().any().any(), (page, frame.columns[frame.isna().any()].tolist())
    assert not [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])], page
    # A count is whole: a float column holding only whole numbers would print "2.0".
    wholes = [c for c in frame.columns if frame[c].dtype == float and (frame[c] == frame[c].round()).all()]
    assert not wholes, (page, wholes)


def test_the_deals_editor_shows_each_amount_with_its_currency_and_grouping(demo_app):
    demo_app.switch_page("app_pages/sales_log.py")
    demo_app.query_params["country"] = "GB"
    demo_app.run()
    assert_clean(demo_app)
    editor = next(e for e in demo_app.dataframe if "crm_id" in e.value.columns).value
    expected = [
        format_money(Decimal(str(a)), c, "en")
        for a, c in zip(editor["amount"], editor["currency"], strict=True)
    ]
    assert editor["value"].tolist() == expected
    assert all(v.startswith("£") for v in expected) and any("," in v for v in expected)


def test_every_market_view_of_content_reads_as_words(demo_app):
    """The content page draws only the tab chosen: each market view, opened in turn."""
    seen = 0
    for view in ("Matrix", "Backlog", "Progress"):
        demo_app.switch_page("app_pages/content.py")
        demo_app.query_params["country"] = "IN"
        demo_app.session_state["content_view"] = "Translations by market"
        demo_app.session_state["content_market_view"] = view
        demo_app.run()
        assert_clean(demo_app)
        for table in demo_app.dataframe:
            seen += 1
            assert_reads_as_words(view, table)
    assert seen >= 3


def test_people_are_shown_by_name_where_one_is_known_with_their_email_beside(demo_app, url):
    with read_session(get_engine(url)) as session:
        names = {user.email: user.name for user in list_users(session) if user.name}
    demo_app.switch_page("app_pages/sales_log.py")
    demo_app.query_params["country"] = "ES"
    demo_app.run()
    assert_clean(demo_app)
    signals = next(t.value for t in demo_app.dataframe if "Logged by" in t.value.columns)
    assert signals["Logged by"].tolist() == [names.get(e, e) for e in signals["Email"]]
    assert set(signals["Email"]) & set(names), "the demo's signals are logged by named users"
