"""Two app servers on one database, and the command line beside them: what one writes, the other shows on
its next rerun (each server caches its reads; the data version tells it when they are stale)."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rollout.demo import load_demo
from rollout.platform.db import make_engine
from rollout.platform.schema import upgrade
from tests.e2e.conftest import ROOT, app_server
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e
CEO = "ceo@rollout.example"
FROM_A = "Pipeline building but slower: three more months."
FROM_CLI = "No Japanese-speaking hire in sight."


def logged_rationales(page: Page) -> list[str]:
    """The Decisions page's log, through its CSV download (the grid is a canvas)."""
    with page.expect_download() as download:
        page.locator(".st-key-decisions_csv button").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    return [row["rationale"] for row in csv.DictReader(io.StringIO(text))]


def rerun(page: Page) -> None:
    """The next rerun of the same session: Streamlit's own R shortcut."""
    page.locator("body").press("r")
    wait_for_app(page)


def decide_on_the_command_line(database_url: str) -> None:
    command = [sys.executable, "-m", "rollout.cli", "decide", "JP", "stop", "--why", FROM_CLI, "--by", CEO]
    env = os.environ | {"ROLLOUT_DATABASE_URL": database_url}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_second_server_sees_the_first_ones_and_the_command_lines_writes(
    browser, database_url, tmp_path, screenshots
):
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        load_demo(engine, by=CEO)
    finally:
        engine.dispose()
    with (
        app_server(database_url, tmp_path / "a.log") as server_a,
        app_server(database_url, tmp_path / "b.log") as server_b,
    ):
        page_a, page_b = (
            browser.new_context(viewport={"width": 1400, "height": 1800}).new_page() for _ in "ab"
        )
        open_page(page_b, f"{server_b}/decisions")  # B reads the log, and caches it
        before = logged_rationales(page_b)
        assert FROM_A not in before and FROM_CLI not in before

        open_page(page_a, f"{server_a}/country?country=BR")
        page_a.locator(".st-key-decision_outcome_BR").get_by_text(re.compile("^Extend")).click()
        page_a.locator(".st-key-decision_rationale_BR textarea").fill(FROM_A)
        page_a.get_by_role("button", name="Record decision").click()
        wait_for_app(page_a)
        expect(page_a.get_by_text("Recorded decision #1: Extend.")).to_be_visible()

        rerun(page_b)
        assert sorted(logged_rationales(page_b)) == sorted([FROM_A, *before])

        decide_on_the_command_line(database_url)
        rerun(page_b)
        assert sorted(logged_rationales(page_b)) == sorted([FROM_CLI, FROM_A, *before])
        page_b.screenshot(path=screenshots / "fresh_second_server.png", full_page=True)
        for page in (page_a, page_b):
            page.context.close()
