"""Every date a table shows is the date stored, whatever the browser's time zone.

Chromium runs in four zones, two west of UTC and two east. Each main page is opened on the demo; the
dates in its tables (read from the grid's accessible cells, which hold the text the app wrote) are
compared with the database's, formatted the same way. No cell and no page text reads "None" or "nan",
and no header is a code in snake_case.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from rollout.demo import load_demo
from rollout.gates.playbook import load_playbook
from rollout.gates.status import country_timeline
from rollout.marketing.local_calendar import calendar_entries
from rollout.marketing.talent import hires, stage_history
from rollout.platform.db import get_engine, read_session
from rollout.platform.models import Decision
from rollout.platform.schema import upgrade
from rollout.sales.pipeline import opportunities, recent_signals
from rollout.ui.format import format_date_cell, format_money
from tests.e2e.test_browser import wait_for_app

pytestmark = pytest.mark.e2e

ZONES = ["America/Sao_Paulo", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
LOCALE = "en"
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
RAW_MISSING = re.compile(r"\b(None|nan|NaN|NaT)\b")


def day(value: date | None) -> str:
    return format_date_cell(value, LOCALE)


READ_GRIDS = """() => [...document.querySelectorAll("[data-testid='stDataFrame'] table[role='grid']")].map(
    table => {
        const headers = {};
        table.querySelectorAll("th[role='columnheader']").forEach(
            th => { headers[th.getAttribute("aria-colindex")] = th.innerText.trim(); });
        const rows = [...table.querySelectorAll("tbody tr[role='row']")].map(tr => {
            const row = {};
            tr.querySelectorAll("td[role='gridcell']").forEach(
                td => { row[headers[td.getAttribute("aria-colindex")]] = td.innerText.trim(); });
            return row;
        });
        return {headers: Object.values(headers), rows};
    })"""


def grids(page: Page) -> list[dict]:
    return page.evaluate(READ_GRIDS)


def grid(page: Page, header: str) -> list[dict[str, str]]:
    """The rows (those the grid has drawn) of the table with a `header` column, as {header: text}."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the grid draws a moment after the script has run
        for table in grids(page):
            if header in table["headers"] and table["rows"]:
                return table["rows"]
        time.sleep(0.3)
    raise AssertionError(f"no table with a {header!r} column on {page.url}: {grids(page)}")


def assert_readable(page: Page) -> None:
    """No raw code or missing-value marker in any table cell, header or text of the page."""
    for table in grids(page):
        assert not [h for h in table["headers"] if SNAKE_CASE.search(h)], (page.url, table["headers"])
        cells = [cell for row in table["rows"] for cell in row.values()]
        assert not [c for c in cells if RAW_MISSING.fullmatch(c)], (page.url, table)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert not RAW_MISSING.search(text), page.url


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    assert page.locator("[data-testid='stException']").count() == 0, url


@pytest.fixture
def demo(app_url: str, tmp_path) -> str:
    """The demo (as "Load demo data" loads it) in the database the app reads; that database's URL."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    engine = get_engine(url)
    upgrade(engine)
    load_demo(engine, by="ceo@rollout.example")
    return url


@pytest.mark.parametrize("zone", ZONES)
def test_tables_show_the_stored_dates_in_every_time_zone(browser, app_url, demo, zone, screenshots):
    engine, today, book = get_engine(demo), date.today(), load_playbook()
    context = browser.new_context(timezone_id=zone, locale="pt-BR", viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    shot = zone.replace("/", "_")
    try:
        with read_session(engine) as session:
            decided = {(d.country_code, d.rationale): d.decided_on for d in session.exec(select(Decision))}
            spans = country_timeline(session, "IN", today, book).spans
            agenda = calendar_entries(session, "IN", today, today + timedelta(days=90), locale=LOCALE)
            signals = recent_signals(session, "BR")
            history = [c for h in hires(session, "IN") for c in stage_history(session, h.id)]

        open_page(page, f"{app_url}/decisions")
        rows = grid(page, "Rationale")
        assert rows and all(row["Date"] == day(decided[row["ISO"], row["Rationale"]]) for row in rows)
        assert_readable(page)

        open_page(page, f"{app_url}/portfolio")
        india = next(row for row in grid(page, "Gate due") if row["Country"].startswith("India"))
        assert india["Gate due"] == day(spans[-1].due_on)
        assert india["In phase since"] == day(spans[-1].started_on)
        assert_readable(page)
        page.screenshot(path=screenshots / f"dates_portfolio_{shot}.png", full_page=True)

        open_page(page, f"{app_url}/country?country=IN")
        rows = grid(page, "Days on hold")
        assert [(r["Started"], r["Gate due"], r["Ended"]) for r in rows] == [
            (day(s.started_on), day(s.due_on), day(s.ended_on)) for s in spans
        ][: len(rows)]
        caption = page.get_by_text(re.compile(r"· due ")).first.inner_text()
        assert f"due {day(spans[-1].due_on)}" in caption  # the caption and the table agree
        assert_readable(page)

        open_page(page, f"{app_url}/calendar?country=IN")
        page.get_by_role("tab", name="Agenda").click()
        wait_for_app(page)
        rows = grid(page, "Start")
        assert (
            rows
            and [(r["Start"], r["End"]) for r in rows]
            == [(day(e.start), day(e.end)) for e in agenda][: len(rows)]
        )
        assert_readable(page)
        page.screenshot(path=screenshots / f"dates_agenda_{shot}.png", full_page=True)

        open_page(page, f"{app_url}/sales_log?country=BR")
        rows = grid(page, "Logged by")
        assert rows and [r["Date"] for r in rows] == [day(s.occurred_on) for s in signals][: len(rows)]
        assert_readable(page)

        open_page(page, f"{app_url}/talent?country=IN")
        page.get_by_text("Stage history").click()
        rows = grid(page, "Reason")
        assert rows and [r["On"] for r in rows] == [day(c.entered_on) for c in history][: len(rows)]
        assert_readable(page)
    finally:
        context.close()


def test_editable_deal_dates_are_the_stored_dates_west_and_east_of_utc(browser, app_url, demo, screenshots):
    """The deals editor keeps date columns (editable) printed with a pattern, which Streamlit applies in
    UTC: the cells the grid draws hold the stored days in São Paulo and in Auckland alike."""
    with read_session(get_engine(demo)) as session:
        deals = opportunities(session, "BR", search="", limit=10, offset=0)
    for zone in ("America/Sao_Paulo", "Pacific/Auckland"):
        context = browser.new_context(timezone_id=zone, viewport={"width": 1400, "height": 1800})
        page = context.new_page()
        try:
            open_page(page, f"{app_url}/sales_log?country=BR")
            page.get_by_role("tab", name="Opportunities").click()
            wait_for_app(page)
            rows = grid(page, "Expected close")
            assert (
                rows
                and [(r["Created"], r["Expected close"]) for r in rows]
                == [
                    (d.created_on.isoformat(), d.expected_close.isoformat() if d.expected_close else "")
                    for d in deals
                ][: len(rows)]
            )
            # Amounts as people write them: with their currency and grouping, in the viewer's locale.
            values = [format_money(d.amount, d.currency, LOCALE) for d in deals][: len(rows)]
            assert [r["Value"] for r in rows] == values and all("R$" in v for v in values)
            editor = page.locator("[data-testid='stDataFrame']").filter(
                has=page.locator("th", has_text="Expected close")
            )
            page.mouse.move(0, 0)  # no hover highlight in the picture
            editor.screenshot(path=screenshots / f"dates_deals_{zone.replace('/', '_')}.png")
        finally:
            context.close()
