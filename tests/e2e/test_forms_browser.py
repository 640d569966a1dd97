"""Forms in the browser: a double click adds one candidate."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from rollout.demo import load_demo
from rollout.platform.db import get_engine, read_session
from rollout.platform.models import Hire
from rollout.platform.schema import upgrade
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_url(app_url: str, tmp_path) -> str:
    """The app on the demo, loaded straight into its database (the button's run is another test's)."""
    engine = get_engine(f"sqlite:///{tmp_path / 'e2e.db'}")
    upgrade(engine)
    load_demo(engine, by="ceo@rollout.example")
    return app_url


def test_double_clicking_add_candidate_adds_one(page: Page, demo_url: str, screenshots):
    app_url = demo_url
    open_page(page, f"{app_url}/talent?country=BR")
    page.locator(".st-key-hire_candidate_BR input").fill("Joana Prado")
    page.get_by_role("button", name="Add candidate").dblclick()
    wait_for_app(page)
    expect(page.get_by_text("Added Joana Prado as a candidate (Local marketing intern).")).to_be_visible()
    expect(page.locator(".st-key-hire_candidate_BR input")).to_have_value("")  # ready for the next one
    page.screenshot(path=screenshots / "talent_double_click.png", full_page=True)
    # The grid is a canvas: count Joana in the Move form's candidate list, which names every candidate.
    page.locator(".st-key-move_hire_BR").click()
    expect(page.get_by_role("option", name="Joana Prado (Sourcing)")).to_have_count(1)


def test_removing_a_candidate_asks_in_a_dialog_naming_them(page: Page, demo_url: str, tmp_path, screenshots):
    with read_session(get_engine(f"sqlite:///{tmp_path / 'e2e.db'}")) as session:
        first = session.exec(select(Hire).where(Hire.country_code == "IN").order_by(col(Hire.id))).first()
        name = first.candidate
    open_page(page, f"{demo_url}/talent?country=IN")
    page.get_by_role("button", name=f"Remove {name}…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(f"Remove the candidate {name}", exact=False)).to_be_visible()
    expect(dialog.get_by_text("stage history stay", exact=False)).to_be_visible()
    page.screenshot(path=screenshots / "talent_remove_dialog.png", full_page=True)
    dialog.get_by_role("button", name=f"Remove {name}").click()
    wait_for_app(page)
    expect(page.get_by_text(f"Removed {name}.")).to_be_visible()
    with read_session(get_engine(f"sqlite:///{tmp_path / 'e2e.db'}")) as session:
        assert session.get(Hire, first.id).removed_at is not None
