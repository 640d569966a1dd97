"""Campaign tasks: a playbook's steps for one campaign, due on its market's working days, with a status.

Tasks are created when a campaign is planned from a playbook, follow it when it moves (the open ones) and
are cancelled with it. Every change goes through a write session, so it is in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlmodel import Session, col, select

from rollout.marketing.campaign_playbooks import CampaignPlaybook, Step
from rollout.marketing.working_days import Counted, WorkingCalendar, count_working_days, market_calendar
from rollout.platform.access import Action, authorize
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import (
    OPEN_TASK_STATUSES,
    TASK_CANCELLED,
    TASK_STATUSES,
    Campaign,
    CampaignTask,
    utc_now,
)

STATUS_LABELS = {
    "to_do": "To do",
    "doing": "Doing",
    "done": "Done",
    "skipped": "Skipped",
    TASK_CANCELLED: "Cancelled",
}


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    due: Counted


def campaign_day(campaign: Campaign) -> date:
    return campaign.starts_at.astimezone(ZoneInfo(campaign.time_zone)).date()


def plan_steps(calendar: WorkingCalendar, playbook: CampaignPlaybook, day: date) -> list[PlannedStep]:
    """Each step of the playbook with its due day, counted in the market's working days from `day`."""
    return [PlannedStep(step, count_working_days(calendar, day, step.offset)) for step in playbook.steps]


def preview_plan(
    session: Session, *, code: str, playbook: CampaignPlaybook, day: date, subdivision: str | None = None
) -> list[PlannedStep]:
    """The steps' due days a campaign on `day` would get, without saving anything."""
    return plan_steps(market_calendar(session, code, day, subdivision), playbook, day)


def create_tasks(
    session: Session, *, campaign: Campaign, playbook: CampaignPlaybook, assignee: str, by: str
) -> list[CampaignTask]:
    """The campaign's tasks, one per step of its playbook (the caller has authorized `by`)."""
    assert campaign.id is not None
    planned = preview_plan(
        session,
        code=campaign.country_code,
        playbook=playbook,
        day=campaign_day(campaign),
        subdivision=campaign.subdivision,
    )
    tasks = [
        CampaignTask(
            campaign_id=campaign.id,
            country_code=campaign.country_code,
            playbook=playbook.key,
            step_key=p.step.key,
            name=p.step.name,
            role=p.step.role,
            offset_days=p.step.offset,
            due_on=p.due.day,
            assignee=assignee.strip().lower(),
            checklist=list(p.step.checklist),
            moved_because=p.due.why,
            updated_at=utc_now(),
            updated_by=by,
        )
        for p in planned
    ]
    session.add_all(tasks)
    session.flush()
    return tasks


def _tasks_of(session: Session, campaign_id: int, statuses: tuple[str, ...]) -> list[CampaignTask]:
    query = (
        select(CampaignTask)
        .where(CampaignTask.campaign_id == campaign_id, col(CampaignTask.status).in_(statuses))
        .order_by(col(CampaignTask.due_on), col(CampaignTask.id))
        .with_for_update()
    )
    return list(session.exec(query))


def reschedule_open_tasks(session: Session, campaign: Campaign, by: str) -> list[CampaignTask]:
    """After the campaign moved (or changed region): its open tasks counted again from its new date; done
    and skipped ones keep the day they had."""
    assert campaign.id is not None
    tasks = _tasks_of(session, campaign.id, OPEN_TASK_STATUSES)
    if not tasks:
        return []
    day = campaign_day(campaign)
    calendar = market_calendar(session, campaign.country_code, day, campaign.subdivision)
    for task in tasks:
        counted = count_working_days(calendar, day, task.offset_days)
        if (task.due_on, task.moved_because) != (counted.day, counted.why):
            task.due_on, task.moved_because = counted.day, counted.why
            touch(task, by)
    session.flush()
    return tasks


def cancel_open_tasks(session: Session, campaign_id: int, by: str) -> int:
    """The campaign was cancelled: its open tasks are too (done and skipped ones stay as they were)."""
    tasks = _tasks_of(session, campaign_id, OPEN_TASK_STATUSES)
    for task in tasks:
        task.status = TASK_CANCELLED
        touch(task, by)
    session.flush()
    return len(tasks)


def update_task(
    session: Session,
    *,
    task_id: int,
    by: str,
    status: str | None = None,
    assignee: str | None = None,
    expected_version: int | None = None,
) -> CampaignTask:
    """Change a task's status and/or assignee (None: left as it is)."""
    task = locked(session, CampaignTask, task_id)
    if task is None:
        raise NotFound(f"task #{task_id} does not exist")
    by = authorize(session, by, Action.MANAGE_MARKETING, task.country_code)
    require_version(task, expected_version, f"task '{task.name}'")
    if task.status == TASK_CANCELLED:
        raise RolloutError(f"task '{task.name}': its campaign was cancelled, so it cannot change")
    if status is not None and status not in TASK_STATUSES:
        raise RolloutError(f"status: '{status}' is not one of {', '.join(TASK_STATUSES)}")
    changed = False
    if status is not None and status != task.status:
        task.status, changed = status, True
    if assignee is not None and assignee.strip().lower() != task.assignee:
        task.assignee, changed = assignee.strip().lower(), True
    if changed:
        touch(task, by)
        session.add(task)
        session.flush()
    return task


TASK_COLUMNS = [
    "#",
    "version",
    "due",
    "task",
    "campaign",
    "campaign #",
    "role",
    "assignee",
    "status",
    "when",
    "why moved",
    "checklist",
]


def market_tasks(
    session: Session,
    code: str,
    *,
    today: date,
    assignee: str | None = None,
    with_closed: bool = True,
) -> pd.DataFrame:
    """The market's tasks of campaigns still planned, by due day, each saying whether it is overdue or due
    this week (Monday to Sunday of `today`); `assignee` keeps one person's."""
    query = (
        select(CampaignTask, Campaign.name)
        .join(Campaign, col(Campaign.id) == col(CampaignTask.campaign_id))
        .where(
            CampaignTask.country_code == code.strip().upper(),
            CampaignTask.status != TASK_CANCELLED,
            col(Campaign.cancelled).is_(False),
        )
        .order_by(col(CampaignTask.due_on), col(CampaignTask.id))
    )
    if assignee:
        query = query.where(CampaignTask.assignee == assignee.strip().lower())
    if not with_closed:
        query = query.where(col(CampaignTask.status).in_(OPEN_TASK_STATUSES))
    rows = [
        {
            "#": task.id,
            "version": task.version,
            "due": task.due_on,
            "task": task.name,
            "campaign": campaign_name,
            "campaign #": task.campaign_id,
            "role": task.role,
            "assignee": task.assignee,
            "status": task.status,
            "when": due_state(task.due_on, task.status, today),
            "why moved": task.moved_because,
            "checklist": " · ".join(task.checklist),
        }
        for task, campaign_name in session.exec(query)
    ]
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def due_state(due: date, status: str, today: date) -> str:
    """overdue, due this week, later, or empty for a task no longer open."""
    if status not in OPEN_TASK_STATUSES:
        return ""
    if due < today:
        return "overdue"
    week_end = today + timedelta(days=6 - today.weekday())
    return "this week" if due <= week_end else "later"


def campaign_tasks(session: Session, campaign_id: int) -> list[CampaignTask]:
    query = (
        select(CampaignTask)
        .where(CampaignTask.campaign_id == campaign_id)
        .order_by(col(CampaignTask.due_on), col(CampaignTask.id))
    )
    return list(session.exec(query))
