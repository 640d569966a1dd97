"""AppTest of campaigns planned from a playbook: the guide, the plan with its tasks, ticking a task, moving
the campaign."""

from __future__ import annotations

from datetime import date, time

from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import AuditEntry, Campaign, CampaignTask
from tests.app.conftest import assert_clean, count, shown

WEBINAR_DAY = date(2027, 9, 6)  # a Monday, the first week after Spain's August


def open_tab(at, tab: str, country: str = "ES"):
    at = at.switch_page("app_pages/campaigns.py")
    at.query_params["country"] = country
    at.session_state["campaigns_view"] = tab
    return at.run()


def plan_webinar(at, name: str = "Webinar: ventas 2027"):
    at.selectbox(key="playbook_choice_ES").set_value("webinar").run()
    at.text_input(key="playbook_name_ES").input(name)
    at.date_input(key="playbook_day_ES").set_value(WEBINAR_DAY)
    at.time_input(key="playbook_time_ES").set_value(time(10, 0))
    next(b for b in at.button if b.label == "Plan from playbook").click().run()
    assert_clean(at)
    return at


def tasks_of(url: str, name: str) -> dict[str, CampaignTask]:
    with read_session(get_engine(url)) as session:
        campaign = session.exec(select(Campaign).where(Campaign.name == name)).one()
        tasks = session.exec(select(CampaignTask).where(CampaignTask.campaign_id == campaign.id)).all()
    return {t.step_key: t for t in tasks}


def test_the_playbook_guide_shows_its_tutorial_and_templates(demo_app):
    at = open_tab(demo_app, "Plan from a playbook")
    assert_clean(at)
    assert any("Best practices" in m.value for m in at.markdown)
    assert any("https://drive.example.com/templates/webinar/landing-page" in m.value for m in at.markdown)
    at.selectbox(key="playbook_choice_ES").set_value("local_event").run()
    assert any("Book meetings before the fair" in m.value for m in at.markdown)


def test_previewing_saves_nothing_and_shows_the_moved_steps(demo_app, url):
    at = open_tab(demo_app, "Plan from a playbook")
    at.date_input(key="playbook_day_ES").set_value(WEBINAR_DAY)
    next(b for b in at.button if b.label == "Preview tasks").click().run()
    assert_clean(at)
    preview = next(d.value for d in at.dataframe if "why moved" in d.value.columns)
    assert len(preview) == 8
    assert any("August holidays" in why for why in preview["why moved"])
    assert count(url, CampaignTask) == 0


def test_planning_from_a_playbook_creates_the_campaign_and_its_tasks(demo_app, url):
    before = count(url, Campaign)
    at = plan_webinar(open_tab(demo_app, "Plan from a playbook"))
    assert count(url, Campaign) == before + 1
    assert any("with 8 tasks" in shown(s.value) for s in at.success)
    tasks = tasks_of(url, "Webinar: ventas 2027")
    assert tasks["live"].due_on == WEBINAR_DAY
    assert tasks["invitation"].due_on < date(2027, 8, 1)  # counted back past the August holidays
    assert {t.assignee for t in tasks.values()} == {"ceo@rollout.example"}
    plan_webinar(at)  # the same form sent again: a double click plans nothing more
    assert count(url, Campaign) == before + 1


def test_a_task_is_ticked_from_the_tasks_tab_starting_from_its_stored_values(demo_app, url):
    plan_webinar(open_tab(demo_app, "Plan from a playbook"))
    at = open_tab(demo_app, "Tasks")
    assert_clean(at)
    listed = next(d.value for d in at.dataframe if "task" in d.value.columns)
    assert listed["task"].iloc[0] == "Topic and speaker chosen"
    first = tasks_of(url, "Webinar: ventas 2027")["topic_speaker"]
    assert at.selectbox(key="task_choice_ES").value == first.id
    assert at.selectbox(key="task_status_ES").value == "to_do"  # the stored status
    assert at.text_input(key="task_assignee_ES").value == "ceo@rollout.example"
    at.selectbox(key="task_status_ES").set_value("done")
    next(b for b in at.button if b.label == "Save task").click().run()
    assert_clean(at)
    ticked = tasks_of(url, "Webinar: ventas 2027")["topic_speaker"]
    assert (ticked.status, ticked.assignee, ticked.version) == ("done", "ceo@rollout.example", 2)
    with read_session(get_engine(url)) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == "campaigntask", AuditEntry.action == "update")
        ).one()
    assert (
        entry.changes["status"] == ["to_do", "done"] and "assignee" not in entry.changes
    )  # only what changed
    at.toggle(key="tasks_open_ES").set_value(True).run()
    still_open = next(d.value for d in at.dataframe if "task" in d.value.columns)
    assert "Topic and speaker chosen" not in still_open["task"].tolist()


def test_moving_a_planned_campaign_moves_its_open_tasks(demo_app, url):
    plan_webinar(open_tab(demo_app, "Plan from a playbook"))
    at = open_tab(demo_app, "Planned")
    before = tasks_of(url, "Webinar: ventas 2027")
    at.selectbox(key="edit_choice_ES").set_value(before["live"].campaign_id).run()
    assert at.date_input(key="edit_day_ES").value == WEBINAR_DAY  # starts from what is stored
    at.date_input(key="edit_day_ES").set_value(date(2027, 10, 19))
    next(b for b in at.button if b.label == "Save campaign").click().run()
    assert_clean(at)
    after = tasks_of(url, "Webinar: ventas 2027")
    assert after["live"].due_on == date(2027, 10, 19)
    assert after["rehearsal"].due_on == date(2027, 10, 18)
    with read_session(get_engine(url)) as session:
        campaign = session.get(Campaign, before["live"].campaign_id)
    assert f"{campaign.starts_at:%Y-%m-%d %H:%M}" == "2027-10-19 08:00"  # 10:00 in Madrid, summer time
