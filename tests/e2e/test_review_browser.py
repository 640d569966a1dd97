"""A gate review in Chromium: two markets, two gatekeepers (each on a server of their own, sharing the
database as replicas do), a conditional go recorded by the chair, and the pack downloaded and read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rollout.demo import load_demo
from rollout.gates.playbook import load_playbook
from rollout.platform.db import make_engine, write_session
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user
from tests.e2e.conftest import app_server
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e
CEO, LEADER = "ceo@rollout.example", "lea@rollout.example"


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'review.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_demo(engine, by=CEO)
    with write_session(engine) as session:
        # Local mode runs as an admin: the second gatekeeper is one too, on a server of their own.
        add_user(session, email=LEADER, role="admin", by=CEO)
    engine.dispose()
    return url


def choose(page: Page, key: str, option: str, many: bool = True) -> None:
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option).click()
    if many:  # a multiselect stays open for the next choice
        page.keyboard.press("Escape")


def form_with(page: Page, key: str):
    """The form holding the widget keyed `key` (forms carry no key class of their own)."""
    return page.get_by_test_id("stForm").filter(has=page.locator(f".st-key-{key}"))


def recommend(page: Page, review: int, code: str, label: str, comment: str) -> None:
    form = form_with(page, f"recommend_{review}_{code}")
    form.locator(f".st-key-recommend_{review}_{code}").get_by_text(label, exact=True).click()
    form.locator("textarea").fill(comment)
    form.get_by_role("button", name="Record my recommendation").click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(f"Recorded your recommendation for {code}"))).to_be_visible()


def test_a_review_of_two_markets_with_two_gatekeepers_ends_in_a_conditional_go_and_a_pack(
    page: Page, database: str, tmp_path, screenshots
):
    with app_server(database, tmp_path / "chair.log", user=CEO) as chair_url:
        open_page(page, f"{chair_url}/reviews")
        page.get_by_text("Plan a review").click()
        page.locator(".st-key-review_title input").fill("Q4 gate review")
        choose(page, "review_chair", CEO, many=False)
        choose(page, "review_markets", "United Kingdom (GB)")
        choose(page, "review_markets", "Brazil (BR)")
        choose(page, "review_gatekeepers", CEO)
        choose(page, "review_gatekeepers", LEADER)
        page.get_by_role("button", name="Plan the review").click()
        wait_for_app(page)
        expect(page.get_by_text("Planned “Q4 gate review”", exact=False)).to_be_visible()
        recommend(page, 1, "GB", "Conditional go", "Go once a native marketer is hired")
        recommend(page, 1, "BR", "Extend", "Pipeline still thin")

        with app_server(database, tmp_path / "leader.log", user=LEADER) as leader_url:
            other = page.context.new_page()
            open_page(other, f"{leader_url}/reviews?review=1")
            recommend(other, 1, "GB", "Go", "Two wins, the third is close")
            recommend(other, 1, "BR", "Extend", "Give it one more quarter")
            other.close()

        page.reload()
        wait_for_app(page)
        form = form_with(page, "chair_1_GB")
        form.locator(".st-key-chair_1_GB").get_by_text(re.compile("^Go")).click()
        form.locator(".st-key-chair_rationale_1_GB textarea").fill(
            "Wins are in; marketing needs a native hire"
        )
        form.locator(".st-key-chair_conditions_1_GB textarea").fill(
            "Native marketer hired | 2099-03-01 | ceo@rollout.example"
        )
        form.get_by_role("button", name="Record the decision").click()
        wait_for_app(page)
        expect(page.get_by_text("Recorded the decision for GB: Go with 1 condition(s).")).to_be_visible()
        page.screenshot(path=screenshots / "review.png", full_page=True)

        with page.expect_download() as download:
            page.locator(".st-key-review_pack button").click()
        pack = Path(download.value.path()).read_text(encoding="utf-8")

    book = load_playbook()
    united_kingdom = pack[pack.index('id="market-GB"') : pack.index('id="market-BR"')]
    brazil = pack[pack.index('id="market-BR"') :]
    # GB went on to the marketing launch: its pack shows that gate's criteria and the condition it owes.
    for criterion in book.phase("marketing_launch").criteria:
        assert criterion.name in united_kingdom
    assert "Native marketer hired" in united_kingdom and "Wins are in" in united_kingdom
    for criterion in book.phase("sales_test").criteria:
        assert criterion.name in brazil
    assert "Give it one more quarter" in brazil and "Pipeline still thin" in brazil
