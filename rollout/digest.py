"""The weekly digest: each user's This week by email, plain text and HTML, in their language, with links
into the app. A week is sent to a user once: the send is claimed in `digest_sent` first (its unique key
stops a second run), and the claim is withdrawn if the server refuses the message.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from html import escape
from urllib.parse import urlencode

from babel.dates import format_date
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rollout.gates.playbook import Playbook
from rollout.platform import settings
from rollout.platform.access import Action, PermissionDenied, authorize, principal
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.locales import VIEWER_LOCALES
from rollout.platform.locking import touch
from rollout.platform.models import AppUser, DigestSent, utc_now
from rollout.weekly import THIS_WEEK_PAGE, Line, Section, this_week, url_path

ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(text: str) -> date:
    """The Monday of an ISO week written YYYY-Www."""
    match = ISO_WEEK.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as error:
        raise RolloutError(f"--week: '{text}' is not an ISO week such as 2026-W49") from error


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def as_of(monday: date, today: date) -> date:
    """The day a week's digest is read on: today within that week, else its Monday."""
    return today if monday <= today < monday + timedelta(days=7) else monday


# --- preferences ------------------------------------------------------------------------------------


def set_digest_preference(session: Session, *, email: str, by: str, enabled: bool, locale: str) -> AppUser:
    """Switch a user's digest on or off and choose its language: a user for themselves, or an admin."""
    email = (email or "").strip().lower()
    acting = principal(session, by)
    if acting is not None and acting.email == email:
        session.info["actor"] = by = acting.email  # the audit trail names who changed it
    else:
        by = authorize(session, by, Action.MANAGE_USERS)
    if locale not in VIEWER_LOCALES:
        raise RolloutError(f"language: '{locale}' is not one of {', '.join(VIEWER_LOCALES)}")
    user = session.exec(select(AppUser).where(col(AppUser.email) == email)).first()
    if user is None:
        raise PermissionDenied(f"{email} is not a Rollout user. Nothing was changed.")
    user.weekly_digest, user.digest_locale = enabled, locale
    touch(user, by)
    session.add(user)
    session.flush()
    return user


# --- composing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    email: str
    subject: str
    text: str
    html: str


def link(base_url: str, line: Line) -> str:
    query = f"?{urlencode({'country': line.country})}" if line.country else ""
    return f"{base_url}/{url_path(line.page)}{query}"


def _written(line: Line, locale: str) -> str:
    return f"{format_date(line.day, format='medium', locale=locale)} · {line.text}" if line.day else line.text


def compose(email: str, sections: list[Section], week: str, locale: str, base_url: str) -> Digest | None:
    """The digest of these sections, or None when nothing needs the user."""
    shown = [section for section in sections if section.lines]
    if not shown:
        return None
    count = sum(len(section.lines) for section in shown)
    start = f"{base_url}/{url_path(THIS_WEEK_PAGE)}"
    text = [f"This week in Rollout ({week})", ""]
    html = [f"<h1>This week in Rollout ({escape(week)})</h1>"]
    for section in shown:
        text += [
            section.title,
            *(f"- {_written(x, locale)}\n  {link(base_url, x)}" for x in section.lines),
            "",
        ]
        html += [f"<h2>{escape(section.title)}</h2>", "<ul>"]
        html += [
            f'<li><a href="{escape(link(base_url, x))}">{escape(_written(x, locale))}</a></li>'
            for x in section.lines
        ]
        html.append("</ul>")
    footer = f"Open This week: {start}. To stop these emails, switch the weekly digest off there."
    text.append(footer)
    html.append(
        f'<p>Open <a href="{escape(start)}">This week</a>. '
        "To stop these emails, switch the weekly digest off there.</p>"
    )
    subject = f"Rollout, this week ({week}): {count} thing{'s' if count != 1 else ''} for you"
    return Digest(email, subject, "\n".join(text) + "\n", "\n".join(html) + "\n")


def recipients(session: Session, to: str | None) -> list[AppUser]:
    """Active users with the digest on; `to`: that user only."""
    query = select(AppUser).where(col(AppUser.active)).order_by(col(AppUser.email))
    if to is not None:
        user = session.exec(query.where(col(AppUser.email) == to.strip().lower())).first()
        if user is None:
            raise RolloutError(f"--to: {to} is not an active Rollout user")
        if not user.weekly_digest:
            raise RolloutError(f"--to: {user.email} switched the weekly digest off")
        return [user]
    return list(session.exec(query.where(col(AppUser.weekly_digest))))


def digest_for(session: Session, user: AppUser, week: str, today: date, playbook: Playbook) -> Digest | None:
    person = principal(session, user.email)
    if person is None:
        return None
    sections = this_week(session, person, today, playbook, locale=user.digest_locale)
    return compose(user.email, sections, week, user.digest_locale, settings.current().base_url)


# --- sending ----------------------------------------------------------------------------------------


def message(digest: Digest, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = digest.subject, sender, digest.email
    mail.set_content(digest.text)
    mail.add_alternative(digest.html, subtype="html")
    return mail


def smtp_send(mail: EmailMessage, config: settings.Settings) -> None:
    host = config.smtp_host or ""
    if config.smtp_security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, config.smtp_port or 465, timeout=30)
    else:
        server = smtplib.SMTP(host, config.smtp_port or 587, timeout=30)
    with server:
        if config.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.smtp_user:
            server.login(config.smtp_user, config.smtp_password or "")
        server.send_message(mail)


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (email, the server's error)


def _sent(session: Session, email: str, week: str) -> DigestSent | None:
    return session.exec(select(DigestSent).where(DigestSent.email == email, DigestSent.week == week)).first()


def _claim(engine: Engine, email: str, week: str, by: str) -> bool:
    """Record the week as sent to `email`; False if it already was (by this run or another)."""
    try:
        with write_session(engine, source="cli") as session:
            session.info["actor"] = by
            if _sent(session, email, week):
                return False
            session.add(DigestSent(email=email, week=week, sent_at=utc_now()))
    except IntegrityError:
        return False
    return True


def _withdraw(engine: Engine, email: str, week: str, by: str) -> None:
    with write_session(engine, source="cli") as session:
        session.info["actor"] = by
        if claim := _sent(session, email, week):
            session.delete(claim)


def send_digests(
    engine: Engine,
    *,
    week: str,
    today: date,
    playbook: Playbook,
    to: str | None,
    dry_run: bool,
    by: str,
    say: Callable[[str], None],
    send: Callable[[EmailMessage, settings.Settings], None] = smtp_send,
) -> Outcome:
    """Send each recipient their digest of `week`, read as of `as_of(week's Monday, today)`. Without SMTP
    configured, or with `dry_run`, digests are printed and nothing is recorded."""
    config, outcome = settings.current(), Outcome()
    day = as_of(parse_week(week), today)
    with read_session(engine) as session:
        users = recipients(session, to)
    for user in users:
        with read_session(engine) as session:
            if _sent(session, user.email, week):
                say(f"{user.email}: {week} was already sent, not sent again")
                continue
            digest = digest_for(session, user, week, day, playbook)
        if digest is None:
            say(f"{user.email}: nothing this week, nothing sent")
            continue
        mail = message(digest, config.smtp_sender)
        if dry_run or not config.smtp_host:
            say(f"{'would send' if dry_run else 'no SMTP server configured, not sent'}:\n{mail.as_string()}")
            continue
        if not _claim(engine, user.email, week, by):
            say(f"{user.email}: {week} was already sent, not sent again")
            continue
        try:
            send(mail, config)
        except (smtplib.SMTPException, OSError) as error:
            _withdraw(engine, user.email, week, by)
            outcome.failed.append((user.email, str(error)))
            continue
        outcome.sent.append(user.email)
        say(f"{user.email}: sent {digest.subject}")
    return outcome
