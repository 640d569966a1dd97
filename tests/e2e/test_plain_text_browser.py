"""Text people type is shown as text in the browser: a URL in a country's name is not a link anywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from rollout.platform.access import Action, authorize
from rollout.platform.db import make_engine, write_session
from rollout.platform.models import Country
from rollout.ui.navigation import PAGES
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e
URL = "https://evil.example/login"


def test_a_url_typed_into_a_country_name_is_never_a_link(page: Page, app_url: str, tmp_path):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    engine = make_engine(f"sqlite:///{tmp_path / 'e2e.db'}")
    with write_session(engine) as session:
        authorize(session, "ceo@rollout.example", Action.MANAGE_COUNTRIES, "ES")
        session.get(Country, "ES").display_name = f"Spain {URL} www.evil.example"
    engine.dispose()

    shown_on = []
    for spec in PAGES:
        open_page(page, f"{app_url}/{spec.address}?country=ES")
        links = page.locator("a[href*='evil.example']")
        expect(links).to_have_count(0)
        if page.get_by_text("evil.example/login").count():
            shown_on.append(spec.title)
    assert "Country" in shown_on  # the name did reach the pages, as plain text


def test_tables_offer_no_raw_csv_export_of_their_own(page: Page, app_url: str):
    """Streamlit's table export writes formula cells raw; the app's own CSV downloads neutralise them."""
    open_page(page, f"{app_url}/users")  # a table on an empty database too: the users
    table = page.get_by_test_id("stDataFrame").first
    table.hover()
    expect(page.get_by_test_id("stElementToolbar").first).to_be_attached()  # the toolbar itself is there
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
