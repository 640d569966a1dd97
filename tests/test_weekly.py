"""This week: each source reads what needs the user, in their countries only, with the page that acts on it.

Runs on SQLite and, with ROLLOUT_TEST_POSTGRES_URL, on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from rollout import weekly
from rollout.gates.metrics import MetricWindow
from rollout.gates.playbook import Playbook
from rollout.marketing.campaigns import plan_campaign
from rollout.platform.access import Principal
from rollout.platform.db import read_session, write_session
from rollout.platform.models import Role, Signal
from tests.conftest import ACTOR, TODAY
from tests.content_factories import item, translate
from tests.factories import PILOT_METRIC, add, decide, make_playbook, registered_metric
from tests.sales_factories import deal, move, signal

LEADER = Principal(ACTOR, Role.LEADERSHIP, ("ES", "PT", "IT"))


def meetings(session: Session, window: MetricWindow) -> float:
    """The test playbook's pilot metric: meetings logged in the window."""
    query = select(func.count()).where(
        Signal.country_code == window.country_code,
        col(Signal.occurred_on) >= window.start,
        col(Signal.occurred_on) <= window.end,
    )
    return session.exec(query).one()


@pytest.fixture
def pilot() -> Playbook:
    with registered_metric(PILOT_METRIC, meetings):
        yield make_playbook(threshold=15, months=3)


def meetings_on(engine: Engine, code: str, day: date, count: int) -> None:
    for _ in range(count):
        signal(engine, code, day)


def section(engine: Engine, user: Principal, playbook: Playbook, title_start: str, today: date = TODAY):
    with read_session(engine) as session:
        sections = weekly.this_week(session, user, today, playbook)
    [found] = [s for s in sections if s.title.startswith(title_start)]
    return found


def test_each_role_gets_its_own_sections_and_admin_all_of_them(engine, pilot):
    with read_session(engine) as session:
        roles = {
            role: [s.title for s in weekly.this_week(session, Principal(ACTOR, role), TODAY, pilot)]
            for role in Role
        }
    assert roles[Role.LEADERSHIP] == [
        "Gates due in the next 14 days",
        "Markets off track or at risk since last week",
        "Decisions taken last week",
    ]
    assert roles[Role.MARKETER][0] == "Campaigns in the next 14 days"
    assert roles[Role.SALES][1] == "Open deals with no activity for 30 days"
    assert roles[Role.ADMIN] == roles[Role.LEADERSHIP] + roles[Role.MARKETER] + roles[Role.SALES]


def test_gates_due_within_14_days_overdue_included_in_the_users_countries(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))  # pilot due 2026-12-01: in 5 days
    add(engine, "PT", date(2026, 8, 20))  # due 2026-11-20: overdue
    add(engine, "IT", date(2026, 10, 1))  # due 2027-01-01: too far
    add(engine, "FR", date(2026, 9, 1))  # due too, but not one of the user's countries
    lines = section(engine, LEADER, pilot, "Gates due").lines
    assert [(line.country, line.day, line.page) for line in lines] == [
        ("PT", date(2026, 11, 20), "app_pages/country.py"),
        ("ES", date(2026, 12, 1), "app_pages/country.py"),
    ]
    assert lines[0].text == "Portugal: Pilot gate overdue, 0/2 criteria met, off track"
    assert lines[1].text.startswith("Spain: Pilot gate due, 0/2 criteria met")


def test_a_held_gate_is_not_due(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    decide(engine, pilot, "ES", "hold", date(2026, 11, 2))
    assert section(engine, LEADER, pilot, "Gates due").lines == ()


def test_markets_that_turned_at_risk_since_a_week_ago(engine, pilot):
    # Pilot of 91 days from 2026-09-01. 14 meetings early on: on pace for 15 a week ago (day 79), not
    # any more today (day 86: projected 14.8, within the at-risk ratio).
    for code in ("ES", "PT", "FR"):
        add(engine, code, date(2026, 9, 1))
        meetings_on(engine, code, date(2026, 9, 10), 14)
    meetings_on(engine, "PT", date(2026, 11, 24), 1)  # PT reached 15: on track
    lines = section(engine, LEADER, pilot, "Markets off track").lines
    assert [(line.country, line.text) for line in lines] == [
        ("ES", "Spain: Pilot gate now at risk (a week ago: on track)")
    ]
    assert lines[0].page == "app_pages/country.py" and lines[0].day == date(2026, 12, 1)


def test_a_market_already_at_risk_a_week_ago_is_not_news(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    meetings_on(engine, "ES", date(2026, 9, 10), 13)  # 13 × 91 / 79 = 14.97: at risk a week ago already
    assert section(engine, LEADER, pilot, "Markets off track").lines == ()


def test_decisions_of_the_last_seven_days(engine, pilot):
    add(engine, "ES", date(2026, 6, 1))
    add(engine, "FR", date(2026, 6, 1))
    decide(engine, pilot, "ES", "extend", date(2026, 9, 1), extension_months=1, rationale="slow")  # long ago
    decide(engine, pilot, "ES", "go", date(2026, 11, 20), rationale="<b>ready</b>")
    decide(engine, pilot, "FR", "go", date(2026, 11, 21))  # not the user's
    lines = section(engine, LEADER, pilot, "Decisions").lines
    assert [(line.country, line.day, line.text) for line in lines] == [
        ("ES", date(2026, 11, 20), f"Spain: Go at the Pilot gate, by {ACTOR}")
    ]


MARKETER = Principal(ACTOR, Role.MARKETER, ("ES",))


def test_campaigns_in_the_next_14_days_of_the_users_markets(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    add(engine, "FR", date(2026, 9, 1))
    with write_session(engine) as session:
        for code, name, day in [
            ("ES", "Webinar <retail>", date(2026, 12, 3)),
            ("ES", "Emailing far ahead", date(2026, 12, 17)),
            ("FR", "Not mine", date(2026, 12, 3)),
        ]:
            start = datetime.combine(day, datetime.min.time()).replace(hour=10)
            plan_campaign(session, code=code, name=name, channel="webinar", local_start=start, by=ACTOR)
    lines = section(engine, MARKETER, pilot, "Campaigns").lines
    assert [(line.text, line.day, line.page, line.country) for line in lines] == [
        ("Spain: Webinar <retail> (webinar)", date(2026, 12, 3), "app_pages/campaigns.py", "ES")
    ]


def test_translations_due_overdue_and_to_do(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    add(engine, "FR", date(2026, 9, 1))
    site, ebook, case, old = (item(engine, title) for title in ("Site", "Ebook", "Case", "Old"))
    translate(engine, "ES", site, "es_ES", status="in_progress", due_on=date(2026, 11, 20))  # overdue
    translate(engine, "ES", ebook, "es_ES", status="todo", due_on=date(2026, 12, 4))
    translate(engine, "ES", case, "es_ES", status="todo", due_on=date(2027, 1, 4))  # too far
    translate(engine, "ES", old, "es_ES", status="published", due_on=date(2026, 11, 30))  # done
    translate(engine, "FR", ebook, "fr_FR", status="todo", due_on=date(2026, 12, 4))  # not mine
    undated = item(engine, "Undated")
    translate(engine, "ES", undated, "es_ES", status="todo")
    lines = section(engine, MARKETER, pilot, "Translations").lines
    assert [(line.text, line.day) for line in lines] == [
        ("Spain: Site in es_ES, overdue (in progress)", date(2026, 11, 20)),
        ("Spain: Ebook in es_ES, due (todo)", date(2026, 12, 4)),
        ("Spain: 1 translation(s) to do with no due date", None),
    ]
    assert {line.page for line in lines} == {"app_pages/content.py"}


def test_holidays_and_events_of_the_users_markets_in_the_next_14_days(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    add(engine, "FR", date(2026, 9, 1))
    lines = section(engine, MARKETER, pilot, "Holidays").lines
    assert {line.country for line in lines} == {"ES"}
    # Spain's Immaculate Conception, 8 December (BOE, national holidays of 2026).
    [immaculate] = [line for line in lines if line.day == date(2026, 12, 8)]
    assert immaculate.text == "Spain: Immaculate Conception (public holiday)"
    assert immaculate.page == "app_pages/local_calendar.py"
    assert all(TODAY <= line.day <= TODAY + timedelta(days=14) for line in lines)


SELLER = Principal(ACTOR, Role.SALES, ("ES",))


def test_gate_numbers_with_what_moved_them_this_week(engine, pilot):
    add(engine, "ES", date(2026, 10, 1))
    add(engine, "FR", date(2026, 10, 1))
    meetings_on(engine, "ES", date(2026, 10, 15), 3)
    meetings_on(engine, "ES", date(2026, 11, 23), 2)
    lines = section(engine, SELLER, pilot, "Your markets").lines
    assert [(line.text, line.page, line.country) for line in lines] == [
        ("Spain, Pilot: Meetings held 5 of 15 (+2 this week)", "app_pages/sales_log.py", "ES")
    ]


def test_open_deals_without_activity_for_30_days(engine, playbook):
    add(engine, "ES", date(2026, 9, 1))
    add(engine, "FR", date(2026, 9, 1))
    # Deals are saved now; seen from 40 days ahead they have been quiet for 40 days, unless moved since.
    later = date.today() + timedelta(days=40)
    quiet = deal(engine, "ES", account="Quiet <Corp>", stage="proposal", created_on=date(2026, 9, 2))
    moved = deal(engine, "ES", account="Moving", stage="qualified", created_on=date(2026, 9, 2))
    move(engine, moved, later - timedelta(days=3), stage="proposal")
    deal(engine, "ES", account="Won", stage="won", created_on=date(2026, 9, 2), closed_on=date(2026, 9, 3))
    deal(engine, "FR", account="Not mine", stage="proposal", created_on=date(2026, 9, 2))
    lines = section(engine, SELLER, playbook, "Open deals", today=later).lines
    assert [(line.text, line.day, line.page) for line in lines] == [
        ("Spain: Quiet <Corp> (Proposal, €1,000.00), last activity", date.today(), "app_pages/sales_log.py")
    ]
    assert quiet
    assert section(engine, SELLER, playbook, "Open deals", today=date.today()).lines == ()


def test_content_the_user_asked_for_and_whether_it_is_delivered(engine, pilot):
    add(engine, "ES", date(2026, 9, 1))
    published, started = item(engine, "Case study: retail"), item(engine, "Pricing sheet")
    translate(engine, "ES", published, "es_ES", status="published")
    translate(engine, "ES", started, "es_ES", status="in_progress")
    for title, day in [("case study: RETAIL", date(2026, 11, 2)), ("Pricing sheet", date(2026, 11, 3))]:
        signal(engine, "ES", day, kind="content_request", content_title=title)
    signal(engine, "ES", date(2026, 11, 4), kind="content_request", content_title="Brochure")
    signal(
        engine,
        "ES",
        date(2026, 11, 5),
        kind="content_request",
        content_title="Theirs",
        by="b@rollout.example",
    )
    lines = section(engine, SELLER, pilot, "Content you asked").lines
    assert [(line.text, line.day) for line in lines] == [
        ("Spain: Brochure, last asked; not in the catalogue yet", date(2026, 11, 4)),
        ("Spain: Pricing sheet, last asked; not delivered (0/1 locales published)", date(2026, 11, 3)),
        ("Spain: case study: RETAIL, last asked; delivered", date(2026, 11, 2)),
    ]
