"""This week: what needs each user now, in their own countries, per role. The start page and the weekly
digest are both drawn from `this_week`.

Every line comes from a source in SOURCES, one tuple per role: a source reads one kind of thing that
needs the user (gates due, quiet deals…) and returns its section. Adding a kind is one function and one
entry. Lines carry the page where they are acted on and the country it should open; dates stay dates, for
the page and the digest to write in the viewer's locale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import PurePosixPath

from babel.numbers import format_currency, format_decimal, format_percent
from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.gates.playbook import Playbook
from rollout.gates.portfolio import FORECAST_LABELS, OUTCOME_LABELS
from rollout.gates.status import AT_RISK, FORECAST_ORDER, OFF_TRACK, GateStatus, portfolio
from rollout.marketing.content import DONE, statuses_in_markets
from rollout.marketing.local_calendar import (
    HOLIDAY_CATEGORY_NAMES,
    CalendarEntry,
    calendars,
    campaign_entries_by_country,
)
from rollout.platform.access import Principal
from rollout.platform.countries import display_name, list_countries
from rollout.platform.models import (
    ContentItem,
    Country,
    Decision,
    Opportunity,
    Role,
    Signal,
    StageChange,
    Translation,
)
from rollout.sales.pipeline import StageKind, load_pipeline_config

AHEAD_DAYS = 14  # how far ahead gates, campaigns, translations and holidays are shown
QUIET_DAYS = 30  # an open deal untouched this long needs a nudge
WEEK = timedelta(days=7)

# The pages lines link to (paths in app_pages/, as rollout.ui.navigation lists them).
THIS_WEEK_PAGE = "app_pages/this_week.py"
COUNTRY_PAGE = "app_pages/country.py"
CAMPAIGNS_PAGE = "app_pages/campaigns.py"
CONTENT_PAGE = "app_pages/content.py"
CALENDAR_PAGE = "app_pages/local_calendar.py"
SALES_LOG_PAGE = "app_pages/sales_log.py"
# Pages served under another path than their file's name (rollout.ui.navigation's url_path; a test
# keeps the two equal).
RENAMED_URLS = {CALENDAR_PAGE: "calendar"}


def url_path(page: str) -> str:
    """The page's address in the app, after the base URL."""
    return RENAMED_URLS.get(page, PurePosixPath(page).stem)


@dataclass(frozen=True)
class Line:
    """One thing that needs the user. `text` may quote what people typed: render it as text."""

    text: str
    page: str  # where it is acted on
    country: str | None = None  # the country that page should open (?country=)
    day: date | None = None  # the day it is about: written by the renderer in the viewer's locale


@dataclass(frozen=True)
class Section:
    role: str  # whose work it is: leadership, marketer or sales
    title: str
    lines: tuple[Line, ...]
    empty: str = "Nothing."


@dataclass
class Week:
    """What sources read: the user's countries in the rollout, and reads several sources share."""

    session: Session
    user: Principal
    today: date
    playbook: Playbook
    locale: str = "en"
    countries: dict[str, Country] = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return list(self.countries)

    def name(self, code: str) -> str:
        return display_name(self.countries[code], self.locale)

    @cached_property
    def statuses(self) -> dict[str, GateStatus]:
        return self._statuses_on(self.today)

    @cached_property
    def statuses_week_ago(self) -> dict[str, GateStatus]:
        return self._statuses_on(self.today - WEEK)

    def _statuses_on(self, day: date) -> dict[str, GateStatus]:
        statuses = portfolio(self.session, day, self.playbook)
        return {s.country: s for s in statuses if s.country in self.countries}


Source = Callable[[Week], Section]


# --- leadership -------------------------------------------------------------------------------------


def _running_gate(status: GateStatus) -> bool:
    return status.at_gate and status.started and not status.on_hold_since


def gates_due(week: Week) -> Section:
    """Gates due within AHEAD_DAYS, overdue ones included (they need a decision too); a held gate is not
    due (its clock is stopped)."""
    horizon = week.today + timedelta(days=AHEAD_DAYS)
    due = sorted(
        (s for s in week.statuses.values() if _running_gate(s) and s.gate_due and s.gate_due <= horizon),
        key=lambda s: (s.gate_due, s.country),
    )
    lines = tuple(
        Line(
            f"{week.name(s.country)}: {week.playbook.state_name(s.phase)} gate "
            f"{'overdue' if s.gate_due and s.gate_due < week.today else 'due'}, "
            f"{s.criteria_met}/{len(s.criteria)} criteria met, {_forecast(s.forecast)}",
            COUNTRY_PAGE,
            s.country,
            s.gate_due,
        )
        for s in due
    )
    return Section(Role.LEADERSHIP, f"Gates due in the next {AHEAD_DAYS} days", lines)


def _forecast(forecast: str | None) -> str:
    return FORECAST_LABELS[forecast or "not_measured"].lower()


def _worse(now: str | None, before: str | None) -> bool:
    """Whether the forecast turned at risk or off track: it is now, and was better (or unknown) before."""
    if now not in (AT_RISK, OFF_TRACK):
        return False
    return before not in FORECAST_ORDER or FORECAST_ORDER.index(before) < FORECAST_ORDER.index(now)


def markets_slipping(week: Week) -> Section:
    """Markets whose gate forecast turned at risk or off track since a week ago (same status functions,
    evaluated as of today and as of seven days ago)."""
    lines = []
    for code, now in week.statuses.items():
        before = week.statuses_week_ago.get(code)
        was = before.forecast if before and _running_gate(before) else None
        if _running_gate(now) and _worse(now.forecast, was):
            lines.append(
                Line(
                    f"{week.name(code)}: {week.playbook.state_name(now.phase)} gate now "
                    f"{_forecast(now.forecast)} "
                    f"(a week ago: {_forecast(was) if was else 'no forecast'})",
                    COUNTRY_PAGE,
                    code,
                    now.gate_due,
                )
            )
    return Section(Role.LEADERSHIP, "Markets off track or at risk since last week", tuple(lines))


def decisions_last_week(week: Week) -> Section:
    """Decisions that took effect in the seven days up to today."""
    query = (
        select(Decision)
        .where(
            col(Decision.country_code).in_(week.codes),
            col(Decision.decided_on) > week.today - WEEK,
            col(Decision.decided_on) <= week.today,
        )
        .order_by(col(Decision.decided_on), col(Decision.id))
    )
    lines = tuple(
        Line(
            f"{week.name(d.country_code)}: {OUTCOME_LABELS.get(d.outcome, d.outcome)} at the "
            f"{week.playbook.state_name(d.phase)} gate, by {d.decided_by}",
            COUNTRY_PAGE,
            d.country_code,
            d.decided_on,
        )
        for d in week.session.exec(query)
    )
    return Section(Role.LEADERSHIP, "Decisions taken last week", lines)


# --- marketers --------------------------------------------------------------------------------------


def campaigns_soon(week: Week) -> Section:
    """Campaigns planned on local days from today to AHEAD_DAYS ahead."""
    horizon = week.today + timedelta(days=AHEAD_DAYS)
    by_country = campaign_entries_by_country(week.session, week.codes, week.today, horizon)
    entries = sorted(
        (entry for entries in by_country.values() for entry in entries), key=lambda e: (e.start, e.name)
    )
    lines = tuple(
        Line(f"{week.name(e.country)}: {e.name} ({e.category})", CAMPAIGNS_PAGE, e.country, e.start)
        for e in entries
    )
    return Section(Role.MARKETER, f"Campaigns in the next {AHEAD_DAYS} days", lines)


def translations_due(week: Week) -> Section:
    """Translations not published that are due within AHEAD_DAYS or overdue, then per market how many are
    to do with no due date."""
    horizon = week.today + timedelta(days=AHEAD_DAYS)
    unpublished = col(Translation.status) != "published"
    in_markets = col(Translation.country_code).in_(week.codes)
    due = week.session.exec(
        select(Translation, ContentItem.title)
        .join(ContentItem, col(ContentItem.id) == col(Translation.content_id))
        .where(in_markets, unpublished, col(Translation.due_on) <= horizon)
        .order_by(col(Translation.due_on), col(ContentItem.title))
    ).all()
    lines = [
        Line(
            f"{week.name(t.country_code)}: {title} in {t.locale}, "
            f"{'overdue' if t.due_on and t.due_on < week.today else 'due'} ({t.status.replace('_', ' ')})",
            CONTENT_PAGE,
            t.country_code,
            t.due_on,
        )
        for t, title in due
    ]
    undated = week.session.exec(
        select(Translation.country_code, func.count())
        .where(in_markets, col(Translation.status) == "todo", col(Translation.due_on).is_(None))
        .group_by(Translation.country_code)
        .order_by(Translation.country_code)
    ).all()
    lines += [
        Line(f"{week.name(code)}: {count} translation(s) to do with no due date", CONTENT_PAGE, code)
        for code, count in undated
    ]
    return Section(Role.MARKETER, "Translations due and to do", tuple(lines))


def holidays_and_events(week: Week) -> Section:
    """Public holidays, cultural and local events in the user's markets over the next AHEAD_DAYS days."""
    horizon = week.today + timedelta(days=AHEAD_DAYS)
    found = calendars(
        week.session, week.codes, week.today, horizon, locale=week.locale, include=("holidays", "events")
    )
    entries = sorted(
        (entry for entries in found.values() for entry in entries), key=lambda e: (e.start, e.country, e.name)
    )
    lines = tuple(Line(_calendar_text(week, e), CALENDAR_PAGE, e.country, e.start) for e in entries)
    return Section(Role.MARKETER, f"Holidays and events in the next {AHEAD_DAYS} days", lines)


def _calendar_text(week: Week, entry: CalendarEntry) -> str:
    if entry.kind == "holiday":
        kind = HOLIDAY_CATEGORY_NAMES.get(entry.category, f"{entry.category} holiday").lower()
    else:
        kind = "local event" if entry.kind == "local_event" else f"{entry.category} event"
    return f"{week.name(entry.country)}: {entry.name} ({kind})"


# --- sales ------------------------------------------------------------------------------------------


def gate_numbers(week: Week) -> Section:
    """Each market's current gate metrics, with how much each moved since a week ago (same gate only)."""
    lines = []
    for code, status in week.statuses.items():
        if not _running_gate(status):
            continue
        before = week.statuses_week_ago.get(code)
        earlier = {c.key: c for c in before.criteria} if before and before.phase == status.phase else {}
        for c in status.criteria:
            if c.kind != "metric":
                continue
            shown = _amount(c.value, c.unit, week) if c.measured else "not measured yet"
            text = f"{week.name(code)}, {week.playbook.state_name(status.phase)}: {c.name} {shown}"
            if c.threshold is not None:
                text += f" of {_amount(c.threshold, c.unit, week)}"
            previous = earlier.get(c.key)
            if c.measured and previous is not None and previous.measured:
                moved = float(c.value or 0) - float(previous.value or 0)
                change = (
                    f"{'+' if moved > 0 else '−'}{_amount(abs(moved), c.unit, week)}"
                    if moved
                    else "no change"
                )
                text += f" ({change} this week)"
            lines.append(Line(text, SALES_LOG_PAGE, code))
    return Section(Role.SALES, "Your markets' gate numbers", tuple(lines))


def _amount(value: float | bool | None, unit: str, week: Week) -> str:
    number = float(value or 0)
    if unit == "currency":
        return format_currency(number, week.playbook.reporting_currency, locale=week.locale)
    if unit == "share":
        return format_percent(number, locale=week.locale)
    return format_decimal(number, locale=week.locale)


def quiet_deals(week: Week) -> Section:
    """Open deals with no activity (no save, no stage change) for QUIET_DAYS days."""
    since = week.today - timedelta(days=QUIET_DAYS)
    recently_moved = select(StageChange.opportunity_id).where(col(StageChange.entered_on) > since)
    config = load_pipeline_config()
    open_stages = config.keys_of_kind(StageKind.OPEN)
    deals = week.session.exec(
        select(Opportunity)
        .where(
            col(Opportunity.country_code).in_(week.codes),
            col(Opportunity.stage).in_(open_stages),
            col(Opportunity.updated_at) < datetime.combine(since, time.min, tzinfo=UTC),
            col(Opportunity.id).not_in(recently_moved),
        )
        .order_by(col(Opportunity.updated_at), col(Opportunity.id))
    ).all()
    lines = tuple(
        Line(
            f"{week.name(d.country_code)}: {d.account} ({config.stage(d.stage).name}, "
            f"{format_currency(d.amount, d.currency, locale=week.locale)}), last activity",
            SALES_LOG_PAGE,
            d.country_code,
            d.updated_at.date(),
        )
        for d in deals
    )
    return Section(Role.SALES, f"Open deals with no activity for {QUIET_DAYS} days", lines)


def content_asked(week: Week) -> Section:
    """The content the user asked for in the sales log, per market, and whether it is delivered: a piece
    of the catalogue with that title published (or written) in every target locale of the market."""
    asked = week.session.exec(
        select(Signal.country_code, Signal.content_title, func.max(Signal.occurred_on))
        .where(
            col(Signal.country_code).in_(week.codes),
            Signal.kind == "content_request",
            Signal.logged_by == week.user.email,
            Signal.content_title != "",
        )
        .group_by(Signal.country_code, Signal.content_title)
        .order_by(func.max(Signal.occurred_on).desc())
    ).all()
    pieces = {item.title.casefold(): item for item in week.session.exec(select(ContentItem))}
    wanted = [pieces[title.casefold()] for _, title, _ in asked if title.casefold() in pieces]
    countries = [week.countries[code] for code in dict.fromkeys(code for code, _, _ in asked)]
    status = statuses_in_markets(week.session, countries, wanted) if countries and wanted else {}
    lines = []
    for code, title, last_asked in asked:
        item = pieces.get(title.casefold())
        states = [v for (item_id, _), v in status.get(code, {}).items() if item and item_id == item.id]
        if item is None:
            state = "not in the catalogue yet"
        elif states and all(s in DONE for s in states):
            state = "delivered"
        else:
            state = f"not delivered ({sum(s in DONE for s in states)}/{len(states)} locales published)"
        lines.append(
            Line(f"{week.name(code)}: {title}, last asked; {state}", SALES_LOG_PAGE, code, last_asked)
        )
    return Section(Role.SALES, "Content you asked for", tuple(lines))


# The one registry: each role's sources, in the order their sections show. Reviews, conditions and
# playbook tasks join here when they exist.
ROLE_SOURCES: Mapping[str, tuple[Source, ...]] = {
    Role.LEADERSHIP: (gates_due, markets_slipping, decisions_last_week),
    Role.MARKETER: (campaigns_soon, translations_due, holidays_and_events),
    Role.SALES: (gate_numbers, quiet_deals, content_asked),
}
SOURCES: Mapping[str, tuple[Source, ...]] = {
    **ROLE_SOURCES,
    Role.ADMIN: tuple(source for sources in ROLE_SOURCES.values() for source in sources),
}


def this_week(
    session: Session, user: Principal, today: date, playbook: Playbook, *, locale: str = "en"
) -> list[Section]:
    """The sections of the user's role, over the user's countries (none listed: every country)."""
    countries = {c.code: c for c in list_countries(session) if user.covers(c.code)}
    week = Week(session, user, today, playbook, locale, countries)
    return [source(week) for source in SOURCES[user.role]]
