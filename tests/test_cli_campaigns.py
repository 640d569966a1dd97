"""`rollout playbooks list`, `rollout campaigns plan` and `rollout campaigns tasks`, run in-process."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import AuditEntry, Campaign, CampaignTask
from tests.factories import count
from tests.test_cli import ok, refused

CEO = "ceo@rollout.example"


@pytest.fixture
def spain(cli_database, run):
    code, _, err = run("countries", "add", "ES", "--start", "2026-01-10", "--by", CEO)
    assert code == 0, err
    return cli_database


def test_playbooks_list_shows_each_playbook_with_its_offsets(cli_database, run):
    out = ok(run, "playbooks", "list")
    assert out.splitlines()[0].startswith("webinar")
    assert "-20 Topic and speaker chosen" in out and "+10 Ebook and articles derived" in out
    listed = json.loads(ok(run, "playbooks", "list", "--json"))
    assert [p["key"] for p in listed] == [
        "webinar",
        "emailing",
        "newsletter",
        "local_event",
        "ebook_from_webinar",
    ]
    assert listed[0]["steps"][0] == {
        "key": "topic_speaker",
        "name": "Topic and speaker chosen",
        "offset": -20,
        "role": "marketer",
    }


def test_plan_creates_the_campaign_and_prints_its_tasks(spain, run):
    out = ok(
        run,
        "campaigns", "plan", "es", "--playbook", "webinar", "--date", "2026-09-07", "--time", "10:00",
        "--name", "Webinar ventas", "--by", CEO,
    )  # fmt: skip
    lines = out.splitlines()
    assert (
        lines[0] == "planned campaign #1 'Webinar ventas' (webinar) in ES on 2026-09-07 10:00 Europe/Madrid"
    )
    assert "8 tasks:" in lines
    invitation = next(line for line in lines if "Invitation email sent" in line)
    assert invitation.startswith("  2026-07-24   -10  marketer")
    assert "past August holidays (2026-08-01 to 2026-08-31)" in invitation
    engine = get_engine(spain)
    assert count(engine, Campaign) == 1 and count(engine, CampaignTask) == 8
    with read_session(engine) as session:
        sources = set(session.exec(select(AuditEntry.source).where(AuditEntry.table_name == "campaigntask")))
    assert sources == {"cli"}


def test_plan_with_a_region_counts_its_holidays(spain, run):
    out = ok(
        run,
        "campaigns", "plan", "ES", "--playbook", "webinar", "--date", "2026-06-25", "--time", "10:00",
        "--region", "CT", "--by", CEO,
    )  # fmt: skip
    assert "region CT" in out.splitlines()[0]
    rehearsal = next(line for line in out.splitlines() if "Rehearsal" in line)
    assert rehearsal.startswith("  2026-06-23") and "Saint John the Baptist" in rehearsal


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--playbook", "podcast", "--date", "2026-09-07", "--time", "10:00"], "'podcast' is not in"),
        (
            ["--playbook", "webinar", "--date", "2026-09-07", "--time", "10:00", "--region", "ZZ"],
            "region: 'ZZ'",
        ),
        (["--playbook", "webinar", "--date", "2026-03-29", "--time", "02:30"], "does not exist"),
    ],
)
def test_bad_plans_are_refused_and_write_nothing(spain, run, args, expected):
    assert expected in refused(run, "campaigns", "plan", "ES", *args, "--by", CEO)
    assert count(get_engine(spain), Campaign) == 0


def test_a_time_that_is_not_hh_mm_is_refused_by_the_parser(spain, run):
    with pytest.raises(SystemExit):
        run("campaigns", "plan", "ES", "--playbook", "webinar", "--date", "2026-09-07", "--time", "10h")


def test_tasks_lists_the_markets_tasks_with_iso_dates_and_their_campaign(spain, run):
    ok(run, "campaigns", "plan", "ES", "--playbook", "newsletter", "--date", "2026-10-15", "--time", "09:00",
       "--by", CEO)  # fmt: skip
    listed = json.loads(ok(run, "campaigns", "tasks", "ES", "--json"))
    assert [(t["due"], t["task"]) for t in listed] == [
        ("2026-10-02", "Stories chosen"),
        ("2026-10-07", "Newsletter written"),
        ("2026-10-13", "Newsletter built and tested"),  # 12 October, the Fiesta Nacional, is skipped
        ("2026-10-15", "Newsletter sent"),
    ]
    assert {(t["campaign"], t["campaign_id"], t["status"]) for t in listed} == {("Newsletter", 1, "to_do")}
    text = ok(run, "campaigns", "tasks", "ES")
    assert "2026-10-13  to_do    Newsletter built and tested — Newsletter (#1), designer" in text
    assert json.loads(ok(run, "campaigns", "tasks", "ES", "--json", "--assignee", "x@y.example")) == []
    assert ok(run, "campaigns", "tasks", "ES", "--assignee", "x@y.example") == "no task in ES\n"
