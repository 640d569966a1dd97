"""`rollout playbooks …` and `rollout campaigns …`: campaign playbooks, campaigns planned from them, tasks."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time

from sqlalchemy import Engine

from rollout.marketing.campaign_playbooks import load_campaign_playbooks
from rollout.marketing.campaign_tasks import campaign_day, market_tasks
from rollout.marketing.campaigns import plan_from_playbook
from rollout.platform.db import read_session, write_session
from rollout.platform.identity import default_actor


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from error


def _clock_time(text: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time in HH:MM form (24-hour)") from error


def cmd_playbooks_list(_engine: Engine, args: argparse.Namespace) -> None:
    book = load_campaign_playbooks()
    if args.json:
        listed = [
            {
                "key": p.key,
                "name": p.name,
                "channel": p.channel,
                "steps": [
                    {"key": s.key, "name": s.name, "offset": s.offset, "role": s.role} for s in p.steps
                ],
            }
            for p in book.playbooks
        ]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    for p in book.playbooks:
        offsets = ", ".join(f"{s.offset:+d} {s.name}" for s in p.steps)
        print(f"{p.key:<20} {p.name} ({p.channel}, {len(p.steps)} steps): {offsets}")


def cmd_campaigns_plan(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine, source="cli") as session:
        planned = plan_from_playbook(
            session,
            code=args.code,
            playbook=args.playbook,
            local_start=datetime.combine(args.date, args.time),
            subdivision=args.region,
            name=args.name or "",
            owner=args.owner or "",
            by=args.by,
        )
        campaign = planned.campaign
        region = f", region {campaign.subdivision}" if campaign.subdivision else ""
        print(
            f"planned campaign #{campaign.id} '{campaign.name}' ({campaign.channel}) in "
            f"{campaign.country_code} on {campaign_day(campaign).isoformat()} {args.time:%H:%M} "
            f"{campaign.time_zone}{region}"
        )
        for warning in planned.warnings:
            if warning.is_problem:
                print(f"  warning: {warning.message}")
        print(f"{len(planned.tasks)} tasks:")
        for task in planned.tasks:
            moved = f"  ({task.moved_because})" if task.moved_because else ""
            print(f"  {task.due_on.isoformat()}  {task.offset_days:+4d}  {task.role:<15} {task.name}{moved}")


def cmd_campaigns_tasks(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        tasks = market_tasks(
            session, args.code, today=date.today(), assignee=args.assignee, with_closed=not args.open
        )
    if args.json:
        rows = [
            {
                "id": int(row["#"]),
                "due": row["due"].isoformat(),
                "task": row["task"],
                "campaign": row["campaign"],
                "campaign_id": int(row["campaign #"]),
                "role": row["role"],
                "assignee": row["assignee"],
                "status": row["status"],
                "when": row["when"],
                "moved_because": row["why moved"],
            }
            for row in tasks.to_dict("records")
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if tasks.empty:
        print(f"no task in {args.code.upper()}")
        return
    for row in tasks.to_dict("records"):
        flag = f" [{row['when']}]" if row["when"] in ("overdue", "this week") else ""
        print(
            f"#{row['#']:<5} {row['due'].isoformat()}  {row['status']:<8} {row['task']} "
            f"— {row['campaign']} (#{row['campaign #']}), {row['role']}, {row['assignee'] or '-'}{flag}"
        )


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The playbooks and campaigns commands, added to the `rollout` parser."""
    playbooks = commands.add_parser("playbooks", help="campaign playbooks").add_subparsers(
        dest="playbooks_command", required=True
    )
    listing = playbooks.add_parser("list", help="the playbooks and their steps (working days from the date)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_playbooks_list)

    campaigns = commands.add_parser("campaigns", help="campaigns and their tasks").add_subparsers(
        dest="campaigns_command", required=True
    )
    plan = campaigns.add_parser(
        "plan", help="plan a campaign from a playbook: its tasks counted back in the market's working days"
    )
    plan.add_argument("code", help="the market, e.g. ES")
    plan.add_argument("--playbook", required=True, help="a key `rollout playbooks list` shows")
    plan.add_argument("--date", type=_iso_date, required=True, help="the local date, YYYY-MM-DD")
    plan.add_argument("--time", type=_clock_time, required=True, help="the local time, HH:MM")
    plan.add_argument("--region", help="a subdivision whose holidays count too, e.g. CT for Catalonia")
    plan.add_argument("--name", help="default: the playbook's name")
    plan.add_argument("--owner", help="who runs it; every task goes to them until reassigned")
    plan.add_argument("--by", default=default_actor())
    plan.set_defaults(run=cmd_campaigns_plan)
    tasks = campaigns.add_parser("tasks", help="a market's campaign tasks, by due date")
    tasks.add_argument("code")
    tasks.add_argument("--assignee", metavar="EMAIL", help="one person's tasks")
    tasks.add_argument("--open", action="store_true", help="only tasks to do or in progress")
    tasks.add_argument("--json", action="store_true")
    tasks.set_defaults(run=cmd_campaigns_tasks)
