"""A sales rep in São Paulo opens Brazil's campaigns: local times are São Paulo's, and say so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e

SAO_PAULO = "Brazil (Sao Paulo) Time · America/Sao_Paulo"


def test_brazils_campaigns_name_the_main_zone(browser, app_url: str, screenshots):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, timezone_id="America/Sao_Paulo", locale="pt-BR"
    )
    page = context.new_page()
    try:
        open_page(page, app_url)
        page.locator(".st-key-load_demo button").click()
        wait_for_app(page)

        open_page(page, f"{app_url}/campaigns?country=BR")
        zone = page.locator(".st-key-campaign_zone_BR").get_by_role("combobox", name="Time zone")
        expect(zone).to_have_value(SAO_PAULO)
        page.locator(".st-key-campaign_name_BR input").fill("Webinar: vendas")
        page.get_by_role("button", name="Plan campaign").click()
        wait_for_app(page)
        expect(page.get_by_text(f"({SAO_PAULO})")).to_be_visible()

        page.get_by_role("tab", name="Suggest dates").click()
        wait_for_app(page)
        expect(page.locator(".st-key-suggest_time_BR")).to_contain_text(f"Local time ({SAO_PAULO})")
        page.screenshot(path=screenshots / "campaigns_brazil_zone.png", full_page=True)
    finally:
        context.close()
