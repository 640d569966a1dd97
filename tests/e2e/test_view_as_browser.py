"""An admin in local mode views the app as a marketer: the marketer's pages, under a banner; Stop ends it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rollout.demo import load_demo
from rollout.platform.db import make_engine, write_session
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user
from rollout.ui.navigation import PAGES, page_specs_for
from tests.e2e.test_browser import open_page, wait_for_app
from tests.e2e.test_signin_browser import offered_pages

pytestmark = pytest.mark.e2e
BANNER = "Viewing as Priya (marketer · IN) — read-only."


def test_an_admin_views_the_app_as_a_marketer(page: Page, app_url: str, tmp_path, screenshots):
    engine = make_engine(f"sqlite:///{tmp_path / 'e2e.db'}")  # the app's own database (app_url)
    upgrade(engine)
    load_demo(engine, by="ceo@rollout.example")  # the local user (ROLLOUT_USER): the demo's admin
    with write_session(engine) as session:
        add_user(
            session,
            email="priya@team.example",
            name="Priya",
            role="marketer",
            countries=["IN"],
            by="ceo@rollout.example",
        )
    engine.dispose()

    open_page(page, f"{app_url}/playbook")  # little to draw: the sidebar settles at once
    page.get_by_text("View as another user").click()
    page.locator(".st-key-view_as_pick input").click()
    page.keyboard.type("Priya")  # the list is searchable: only Priya is left
    page.get_by_role("option", name="Priya (marketer · IN)").click()
    page.locator(".st-key-view_as_start button").click()
    wait_for_app(page)
    expect(page.get_by_text(BANNER)).to_be_visible()
    assert offered_pages(page) == [spec.title for spec in page_specs_for("marketer")]
    page.screenshot(path=screenshots / "view_as_marketer.png", full_page=True)

    page.locator(".st-key-view_as_stop button").click()
    wait_for_app(page)
    expect(page.get_by_text(BANNER)).to_have_count(0)
    assert offered_pages(page) == [spec.title for spec in PAGES]
