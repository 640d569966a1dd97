"""A country marketer in the real app: plans a webinar from its playbook and ticks its first task."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import CampaignTask
from tests.e2e.test_browser import open_page, wait_for_app
from tests.e2e.test_calendar_browser import set_date
from tests.e2e.test_content_browser import choose

pytestmark = pytest.mark.e2e


def first_monday_of_september_next_year() -> date:
    first = date(date.today().year + 1, 9, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def test_marketer_plans_a_webinar_from_its_playbook_and_ticks_its_first_task(
    page: Page, app_url: str, tmp_path, screenshots
):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, f"{app_url}/campaigns?country=ES")
    page.get_by_role("tab", name="Plan from a playbook").click()
    wait_for_app(page)
    page.get_by_text("How to run it: Webinar").click()  # the tutorial opens
    expect(page.get_by_text("Best practices", exact=True)).to_be_visible()
    page.locator(".st-key-playbook_name_ES input").fill("Webinar: ventas en España")
    webinar_day = first_monday_of_september_next_year()
    set_date(page, ".st-key-playbook_day_ES", webinar_day)
    page.get_by_role("button", name="Plan from playbook").click()
    wait_for_app(page)
    expect(page.get_by_text("Planned 'Webinar: ventas en España'")).to_be_visible()
    expect(page.get_by_text("with 8 tasks")).to_be_visible()
    page.screenshot(path=screenshots / "playbook_planned.png", full_page=True)

    page.get_by_role("tab", name="Tasks").click()
    wait_for_app(page)
    first_task = page.locator(".st-key-task_choice_ES").get_by_role("combobox")
    expect(first_task).to_have_value(re.compile(r"Topic and speaker chosen \(Webinar: ventas en España\)"))
    choose(page, ".st-key-task_status_ES", "Done")
    page.get_by_role("button", name="Save task").click()
    wait_for_app(page)
    expect(page.get_by_text("Saved: Topic and speaker chosen is done.")).to_be_visible()
    page.screenshot(path=screenshots / "playbook_task_done.png", full_page=True)

    with read_session(get_engine(f"sqlite:///{tmp_path / 'e2e.db'}")) as session:
        statuses = {t.step_key: t.status for t in session.exec(select(CampaignTask))}
        live = session.exec(select(CampaignTask).where(CampaignTask.step_key == "live")).one()
    assert statuses.pop("topic_speaker") == "done"
    assert set(statuses.values()) == {"to_do"}
    assert live.due_on == webinar_day
