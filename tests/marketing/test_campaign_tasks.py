"""Campaigns planned from a playbook: their tasks, moving and cancelling them, task status, tasks in .ics."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from icalendar import Calendar
from sqlmodel import col, select

from rollout.marketing.campaign_tasks import campaign_tasks, due_state, market_tasks, update_task
from rollout.marketing.campaigns import cancel_campaign, edit_campaign, plan_from_playbook
from rollout.marketing.ics import calendar_ics
from rollout.marketing.local_calendar import calendar_entries
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.models import AuditEntry, Campaign, CampaignTask, utc_now
from rollout.platform.users import add_user
from tests.conftest import ACTOR
from tests.factories import add, count

MARKETER = "marketer@rollout.example"
WEBINAR_DAY = datetime(2026, 9, 7, 10, 0)  # Monday, the week after Spain's August


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 5))
    return "ES"


def plan(engine, when=WEBINAR_DAY, **kwargs):
    kwargs.setdefault("playbook", "webinar")
    with write_session(engine) as session:
        planned = plan_from_playbook(session, code="ES", local_start=when, by=MARKETER, **kwargs)
        return planned.campaign.id


def tasks(engine, campaign_id):
    with read_session(engine) as session:
        return {t.step_key: t for t in campaign_tasks(session, campaign_id)}


def test_planning_from_a_playbook_creates_its_tasks_on_working_days(engine, spain):
    campaign_id = plan(engine, owner="Ana@Rollout.example", name="Webinar: ventas en España")
    with read_session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
    assert (campaign.channel, campaign.duration_minutes, campaign.locale) == ("webinar", 60, "es_ES")
    found = tasks(engine, campaign_id)
    assert list(found) == [
        "topic_speaker",
        "landing_page",
        "invitation",
        "reminder",
        "rehearsal",
        "live",
        "replay",
        "derive_content",
    ]
    assert found["invitation"].due_on == date(2026, 7, 24)
    assert "August holidays" in found["invitation"].moved_because
    assert found["live"].due_on == date(2026, 9, 7)
    assert {t.assignee for t in found.values()} == {"ana@rollout.example"}
    assert {t.status for t in found.values()} == {"to_do"}
    assert found["rehearsal"].role == "speaker" and found["rehearsal"].checklist


def test_the_playbooks_name_is_the_default_and_tasks_go_to_the_planner(engine, spain):
    campaign_id = plan(engine, playbook="newsletter")
    with read_session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
    assert (campaign.name, campaign.channel) == ("Newsletter", "emailing")
    assert {t.assignee for t in tasks(engine, campaign_id).values()} == {MARKETER}


def test_an_unknown_playbook_or_a_bad_region_changes_nothing(engine, spain):
    with pytest.raises(RolloutError, match="'podcast' is not in"):
        plan(engine, playbook="podcast")
    with pytest.raises(RolloutError, match="region: 'XX'"):
        plan(engine, subdivision="XX")
    assert count(engine, Campaign) == 0 and count(engine, CampaignTask) == 0


def test_moving_the_campaign_moves_its_open_tasks_only(engine, spain):
    campaign_id = plan(engine)
    done = tasks(engine, campaign_id)["topic_speaker"]
    with write_session(engine) as session:
        update_task(session, task_id=done.id, status="done", by=MARKETER)
    with write_session(engine) as session:
        campaign, _ = edit_campaign(
            session, campaign_id=campaign_id, by=MARKETER, local_start=datetime(2026, 10, 19, 10, 0)
        )
        assert campaign.version == 2
    moved = tasks(engine, campaign_id)
    assert moved["live"].due_on == date(2026, 10, 19)
    assert moved["rehearsal"].due_on == date(2026, 10, 16)
    # 12 October is the Fiesta Nacional de España: the invitation 10 working days ahead moves a day earlier.
    assert moved["invitation"].due_on == date(2026, 10, 2)
    assert "National Day (2026-10-12)" in moved["invitation"].moved_because
    assert moved["invitation"].version == 2
    assert moved["topic_speaker"].due_on == date(2026, 7, 10)  # done: it stays where it was done


def test_a_move_is_in_the_history_with_the_old_and_new_values(engine, spain):
    campaign_id = plan(engine)
    with write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, local_start=datetime(2026, 9, 8, 11, 0))
    with read_session(engine) as session:
        updates = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == "campaign", AuditEntry.action == "update")
        ).all()
        task_updates = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == "campaigntask", AuditEntry.action == "update")
        ).all()
    assert len(updates) == 1 and updates[0].actor == MARKETER
    assert updates[0].changes["starts_at"] == ["2026-09-07T08:00:00+00:00", "2026-09-08T09:00:00+00:00"]
    assert {e.country_code for e in task_updates} == {"ES"} and len(task_updates) >= 7


def test_changing_the_region_counts_the_tasks_again(engine, spain):
    campaign_id = plan(engine, when=datetime(2026, 6, 25, 10, 0))
    assert tasks(engine, campaign_id)["rehearsal"].due_on == date(2026, 6, 24)
    with write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, subdivision="CT")
    rehearsal = tasks(engine, campaign_id)["rehearsal"]
    assert rehearsal.due_on == date(2026, 6, 23)  # Sant Joan is a holiday in Catalonia
    assert "Saint John the Baptist" in rehearsal.moved_because


def test_a_stale_edit_is_refused_and_changes_nothing(engine, spain):
    campaign_id = plan(engine)
    with write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, name="Renamed", expected_version=1)
    with pytest.raises(Conflict), write_session(engine) as session:
        edit_campaign(
            session,
            campaign_id=campaign_id,
            by=MARKETER,
            local_start=datetime(2026, 10, 19, 10),
            expected_version=1,
        )
    assert tasks(engine, campaign_id)["live"].due_on == date(2026, 9, 7)


def test_bad_edits_are_refused(engine, spain):
    campaign_id = plan(engine)
    with pytest.raises(RolloutError, match="name: required"), write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, name=" ")
    with pytest.raises(RolloutError, match="does not exist"), write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, local_start=datetime(2026, 3, 29, 2, 30))
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=campaign_id, by=MARKETER)
    with pytest.raises(RolloutError, match="was cancelled"), write_session(engine) as session:
        edit_campaign(session, campaign_id=campaign_id, by=MARKETER, name="Again")


def test_cancelling_the_campaign_cancels_its_open_tasks(engine, spain):
    campaign_id = plan(engine)
    first = tasks(engine, campaign_id)["topic_speaker"]
    with write_session(engine) as session:
        update_task(session, task_id=first.id, status="done", by=MARKETER)
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=campaign_id, by=MARKETER)
    statuses = {key: t.status for key, t in tasks(engine, campaign_id).items()}
    assert statuses.pop("topic_speaker") == "done"
    assert set(statuses.values()) == {"cancelled"}
    with pytest.raises(RolloutError, match="cancelled"), write_session(engine) as session:
        update_task(session, task_id=tasks(engine, campaign_id)["live"].id, status="done", by=MARKETER)
    with read_session(engine) as session:
        assert market_tasks(session, "ES", today=date(2026, 9, 1)).empty  # gone from the market's list


def test_task_status_and_assignee_changes_are_audited(engine, spain):
    campaign_id = plan(engine)
    task = tasks(engine, campaign_id)["invitation"]
    with write_session(engine) as session:
        changed = update_task(
            session, task_id=task.id, status="doing", assignee="Priya@rollout.example", by=MARKETER
        )
        assert (changed.status, changed.assignee, changed.version) == ("doing", "priya@rollout.example", 2)
    with read_session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(
                AuditEntry.table_name == "campaigntask",
                AuditEntry.action == "update",
                AuditEntry.record_key == str(task.id),
            )
        ).one()
    assert entry.changes["status"] == ["to_do", "doing"] and entry.country_code == "ES"
    with pytest.raises(RolloutError, match="status: 'finished'"), write_session(engine) as session:
        update_task(session, task_id=task.id, status="finished", by=MARKETER)
    with pytest.raises(Conflict), write_session(engine) as session:
        update_task(session, task_id=task.id, status="done", by=MARKETER, expected_version=1)
    assert tasks(engine, campaign_id)["invitation"].status == "doing"


def test_someone_outside_the_market_cannot_tick_its_tasks(engine, spain):
    add(engine, "IN", date(2026, 1, 5))
    with write_session(engine) as session:
        add_user(session, email="in.marketer@rollout.example", role="marketer", countries=["IN"], by=ACTOR)
    task = tasks(engine, plan(engine))["live"]
    with pytest.raises(RolloutError), write_session(engine) as session:
        update_task(session, task_id=task.id, status="done", by="in.marketer@rollout.example")
    assert tasks(engine, task.campaign_id)["live"].status == "to_do"


def test_the_market_list_says_what_is_overdue_and_due_this_week(engine, spain):
    campaign_id = plan(engine)
    found = tasks(engine, campaign_id)
    with write_session(engine) as session:
        update_task(session, task_id=found["topic_speaker"].id, status="done", by=MARKETER)
    with read_session(engine) as session:
        listed = market_tasks(session, "ES", today=date(2026, 7, 22))  # a Wednesday
        mine = market_tasks(session, "es", today=date(2026, 7, 22), assignee="nobody@rollout.example")
    when = dict(zip(listed["task"], listed["when"], strict=True))
    assert when["Topic and speaker chosen"] == ""  # done
    assert when["Landing page translated and live"] == "overdue"  # 17 July
    assert when["Invitation email sent"] == "this week"  # Friday 24 July
    assert when["Webinar live"] == "later"
    assert list(listed["due"]) == sorted(listed["due"])
    assert set(listed["campaign"]) == {"Webinar"}
    assert mine.empty


def test_due_state_at_the_week_end():
    sunday = date(2026, 7, 26)
    assert due_state(sunday, "to_do", date(2026, 7, 20)) == "this week"
    assert due_state(date(2026, 7, 27), "doing", date(2026, 7, 20)) == "later"
    assert due_state(date(2026, 7, 19), "skipped", date(2026, 7, 20)) == ""


def test_tasks_are_in_the_calendar_and_its_ics_export(engine, spain):
    campaign_id = plan(engine)
    with read_session(engine) as session:
        entries = calendar_entries(session, "ES", date(2026, 7, 1), date(2026, 9, 30), with_cancelled=True)
    task_entries = [e for e in entries if e.kind == "task"]
    assert len(task_entries) == 8
    ics = Calendar.from_ical(calendar_ics(entries, name="Rollout ES", stamp=utc_now()))
    events = {str(e["summary"]): e for e in ics.walk("VEVENT")}
    invitation = events["Invitation email sent (Webinar)"]
    assert invitation.decoded("dtstart") == date(2026, 7, 24)
    assert "task" in [str(c) for c in invitation["categories"].cats]
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=campaign_id, by=MARKETER)
    with read_session(engine) as session:
        after = calendar_entries(session, "ES", date(2026, 7, 1), date(2026, 9, 30), with_cancelled=True)
        shown = calendar_entries(session, "ES", date(2026, 7, 1), date(2026, 9, 30))
    assert all(e.cancelled for e in after if e.kind == "task")
    ics = Calendar.from_ical(calendar_ics(after, name="Rollout ES", stamp=utc_now()))
    cancelled = [e for e in ics.walk("VEVENT") if "task" in [str(c) for c in e["categories"].cats]]
    assert {str(e["status"]) for e in cancelled} == {"CANCELLED"}
    assert not [e for e in shown if e.kind in ("task", "campaign")]


def test_tasks_left_out_of_a_calendar_that_does_not_ask_for_them(engine, spain):
    plan(engine)
    with read_session(engine) as session:
        entries = calendar_entries(
            session, "ES", date(2026, 7, 1), date(2026, 9, 30), include=("holidays", "campaigns")
        )
        ids = session.exec(select(CampaignTask.id).where(col(CampaignTask.country_code) == "ES")).all()
    assert len(ids) == 8 and not [e for e in entries if e.kind == "task"]
