"""`rollout digest`: This week by email, against a real SMTP server (aiosmtpd) on localhost, reading what
arrived: subject, recipients, both parts, the links; a week sent once; a refused recipient named while the
others receive theirs."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import date, datetime
from email.message import Message
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from rollout.digest import as_of, compose, parse_week, set_digest_preference
from rollout.marketing.campaigns import plan_campaign
from rollout.platform.access import PermissionDenied
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import AppUser, DigestSent
from rollout.platform.users import add_user
from rollout.weekly import Line, Section
from tests.conftest import ACTOR, TEAM
from tests.factories import add

WEEK = "2026-W48"  # read as of Monday 2026-11-23: Black Friday (27 November) is 4 days ahead
REFUSED = "priya@rollout.example"
BASE = "https://rollout.example.com"


class Inbox:
    """An aiosmtpd handler that keeps every message and refuses one address, as a real server would."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 <priya@rollout.example>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=default))
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for recipients, message in self.messages if address in recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("ROLLOUT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ROLLOUT_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("ROLLOUT_SMTP_SECURITY", "none")
    monkeypatch.setenv("ROLLOUT_SMTP_SENDER", "rollout@rollout.example")
    monkeypatch.setenv("ROLLOUT_BASE_URL", BASE + "/")
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def spain(cli_database) -> str:
    """Spain in the rollout, with a campaign whose name is markup, in the digest week."""
    engine = get_engine(cli_database)
    add(engine, "ES", date(2026, 9, 1))
    with write_session(engine) as session:
        plan_campaign(
            session,
            code="ES",
            name='<b>Launch</b> & "co"',
            channel="webinar",
            local_start=datetime(2026, 11, 25, 10),
            by=ACTOR,
        )
        set_digest_preference(
            session, email="anna@rollout.example", by="anna@rollout.example", enabled=True, locale="fr"
        )
    return cli_database


def parts(message: Message) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_every_user_gets_their_week_but_a_refused_one_is_named_and_the_run_fails(run, spain, smtp):
    code, out, err = run("digest", "--week", WEEK, "--all")
    assert code == 1
    assert f"the digest to {REFUSED} was not sent" in err and "mailbox unavailable" in err
    received = {address for recipients, _ in smtp.messages for address in recipients}
    assert received == set(TEAM) - {REFUSED}
    assert f"sent {len(TEAM) - 1}, failed 1" in out
    [message] = smtp.to(ACTOR)
    assert message["From"] == "rollout@rollout.example" and message["To"] == ACTOR
    assert message["Subject"].startswith(f"Rollout, this week ({WEEK}): ")
    plain, html = parts(message)
    assert "Gates due in the next 14 days" in plain and "Holidays and events in the next 14 days" in plain
    assert "- Nov 27, 2026 · Spain: Black Friday (opportunity event)" in plain
    assert f"{BASE}/calendar?country=ES" in plain and f"{BASE}/this_week" in plain
    # What people typed is text in HTML: escaped, never markup.
    assert "&lt;b&gt;Launch&lt;/b&gt; &amp; &quot;co&quot;" in html and "<b>Launch" not in html
    assert '<b>Launch</b> & "co"' in plain
    assert f'<a href="{BASE}/campaigns?country=ES">Nov 25, 2026 · Spain: ' in html


def test_the_digest_is_in_the_users_language(run, spain, smtp):
    code, _, _ = run("digest", "--week", WEEK, "--to", "anna@rollout.example")
    assert code == 0
    [message] = smtp.to("anna@rollout.example")
    plain, _ = parts(message)
    assert "27 nov. 2026 · Espagne" in plain


def test_a_week_already_sent_is_not_sent_again(run, spain, smtp):
    assert run("digest", "--week", WEEK, "--to", ACTOR)[0] == 0
    code, out, _ = run("digest", "--week", WEEK, "--to", ACTOR)
    assert code == 0 and f"{ACTOR}: {WEEK} was already sent, not sent again" in out
    assert len(smtp.to(ACTOR)) == 1
    assert run("digest", "--week", "2026-W47", "--to", ACTOR)[0] == 0  # another week is another digest
    assert len(smtp.to(ACTOR)) == 2
    with read_session(get_engine(spain)) as session:
        assert [(s.email, s.week) for s in session.exec(select(DigestSent).order_by(DigestSent.id))] == [
            (ACTOR, WEEK),
            (ACTOR, "2026-W47"),
        ]


def test_a_refused_send_is_not_recorded_and_goes_out_next_time(run, spain, smtp):
    assert run("digest", "--week", WEEK, "--to", REFUSED)[0] == 1
    with read_session(get_engine(spain)) as session:
        assert session.exec(select(DigestSent)).all() == []


def test_dry_run_prints_and_sends_nothing(run, spain, smtp):
    code, out, _ = run("digest", "--week", WEEK, "--to", ACTOR, "--dry-run")
    assert code == 0 and "would send:" in out and f"To: {ACTOR}" in out
    assert smtp.messages == []
    with read_session(get_engine(spain)) as session:
        assert session.exec(select(DigestSent)).all() == []


def test_without_smtp_the_digest_is_printed(run, spain, monkeypatch):
    monkeypatch.delenv("ROLLOUT_SMTP_HOST", raising=False)
    code, out, _ = run("digest", "--week", WEEK, "--to", ACTOR)
    assert code == 0 and "no SMTP server configured, not sent" in out and "Black Friday" in out


def test_a_user_who_switched_it_off_gets_none(run, spain, smtp):
    with write_session(get_engine(spain)) as session:
        set_digest_preference(
            session, email="ana@rollout.example", by="ana@rollout.example", enabled=False, locale="en"
        )
    assert run("digest", "--week", WEEK, "--all")[0] == 1  # priya is still refused
    assert smtp.to("ana@rollout.example") == [] and smtp.to(ACTOR)
    code, _, err = run("digest", "--week", WEEK, "--to", "ana@rollout.example")
    assert code == 2 and "switched the weekly digest off" in err


def test_a_bad_week_is_refused_naming_it(run, cli_database):
    code, _, err = run("digest", "--week", "2026-W60", "--all")
    assert code == 2 and "--week: '2026-W60' is not an ISO week such as 2026-W49" in err


def test_weeks_read_from_their_monday_or_today_within_them():
    assert parse_week("2026-W48") == date(2026, 11, 23)
    assert as_of(date(2026, 11, 23), date(2026, 11, 25)) == date(2026, 11, 25)
    assert as_of(date(2026, 11, 23), date(2026, 12, 2)) == date(2026, 11, 23)
    with pytest.raises(RolloutError, match="--week: 'W48'"):
        parse_week("W48")


def test_nothing_to_say_sends_nothing():
    assert compose(ACTOR, [Section("sales", "Content you asked for", ())], WEEK, "en", BASE) is None
    line = Line("Spain: <x>", "app_pages/local_calendar.py", "ES")
    digest = compose(ACTOR, [Section("sales", "S", (line,))], WEEK, "en", BASE)
    assert digest is not None and digest.subject == f"Rollout, this week ({WEEK}): 1 thing for you"


def test_only_the_user_or_an_admin_changes_their_digest(engine):
    with write_session(engine) as session:
        add_user(session, email="seller@team.example", role="sales", by=ACTOR)
        add_user(session, email="other@team.example", role="sales", by=ACTOR)
    with write_session(engine) as session:
        set_digest_preference(
            session, email="seller@team.example", by="seller@team.example", enabled=False, locale="de"
        )
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        set_digest_preference(
            session, email="seller@team.example", by="other@team.example", enabled=True, locale="en"
        )
    with pytest.raises(RolloutError, match="language: 'xx'"), write_session(engine) as session:
        set_digest_preference(session, email="seller@team.example", by=ACTOR, enabled=True, locale="xx")
    with read_session(engine) as session:
        seller = session.exec(select(AppUser).where(AppUser.email == "seller@team.example")).one()
    assert (seller.weekly_digest, seller.digest_locale) == (False, "de")
