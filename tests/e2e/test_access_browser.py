"""An admin in local mode adds a teammate on the Users page and finds the change on the History page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rollout.ui.navigation import PAGES
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e


def test_an_admin_adds_a_user_and_the_history_records_it(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, f"{app_url}/users")
    page.locator(".st-key-new_user_email input").fill("maria.lopez@rollout.example")
    page.locator(".st-key-new_user_name input").fill("María López <b>")
    page.locator(".st-key-new_user_role").click()
    page.get_by_role("option", name="sales", exact=True).click()
    page.get_by_role("button", name="Add user").click()
    wait_for_app(page)
    expect(page.get_by_text("Added maria.lopez@rollout.example as sales.")).to_be_visible()
    page.screenshot(path=screenshots / "users.png", full_page=True)

    open_page(page, f"{app_url}/history")
    page.screenshot(path=screenshots / "history.png", full_page=True)
    with page.expect_download() as download:
        page.locator(".st-key-history_csv button").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    added = [row for row in rows if row["record"].startswith("app_user") and row["field"] == "email"]
    entry = added[0]
    assert (entry["new"], entry["who"], entry["source"], entry["action"]) == (
        "maria.lopez@rollout.example",
        "ceo@rollout.example",
        "ui",
        "create",
    )
    names = [row["new"] for row in rows if row["record"] == entry["record"] and row["field"] == "name"]
    assert names == ["María López <b>"]  # stored and exported as typed


def test_every_page_of_the_admin_renders_with_the_demo(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    for spec in PAGES:
        name = spec.address
        open_page(page, f"{app_url}/{name}")  # fails on any exception the page shows
        expect(page.get_by_role("heading", name=spec.title).first).to_be_visible()
        page.screenshot(path=screenshots / f"admin_{name}.png", full_page=True)
