"""The engine and cached reads.

A server process caches its reads, but the database is shared: another server, the CLI or an import may
change it at any time. So each rerun first reads the data version (one tiny query; every transaction that
changes data bumps it, see rollout.platform.db) and every cached read is keyed on it: the first rerun after a
write anywhere reads afresh. Reading the version before the data is what makes this safe: a write landing
between the two is newer than the version this rerun keys on, so the next rerun, seeing it, reads again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from inspect import Parameter, signature
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from rollout.gates import portfolio
from rollout.gates import status as gates
from rollout.gates.playbook import Playbook, load_playbook
from rollout.marketing import calendar_views, campaign_tasks, campaigns, content
from rollout.platform.access import read_only
from rollout.platform.countries import get_country, list_countries
from rollout.platform.db import data_version, database_url, get_engine, read_session
from rollout.platform.schema import upgrade
from rollout.sales import analytics as sales_analytics
from rollout.sales import money
from rollout.ui import charts

# Freshness comes from the data version, not from this: it only bounds how long an entry is kept, and how
# long a change made outside Rollout (SQL by hand) can go unseen.
CACHE_SECONDS = 600
VERSION_KEY = "_data_version"  # in session state: the version this session's rerun reads at
P = ParamSpec("P")
R = TypeVar("R")
_cached_reads: list[Any] = []
_last_seen: dict[str, int] = {}  # per database URL: the newest version this process has seen
# The principal an admin is viewing the app as (set by rollout.ui.auth on every run, None otherwise).
READ_ONLY_KEY = "_read_only_as"


@st.cache_resource
def _migrated_engine(url: str) -> Engine:
    engine = get_engine(url)
    upgrade(engine)
    return engine


def engine() -> Engine:
    """The process-wide engine, its schema brought up to date on first use; read-only (every write session
    refused) while an admin views the app as someone, for every page, callback and fragment."""
    shared = _migrated_engine(database_url())
    viewed = st.session_state.get(READ_ONLY_KEY)
    return read_only(shared, viewed) if viewed is not None else shared


def playbook() -> Playbook:
    """The playbook, refused while it no longer fits the decisions already recorded."""
    book = load_playbook()
    _fits_history(database_url(), book)
    return book


@st.cache_resource(show_spinner=False)
def _fits_history(url: str, book: Playbook) -> bool:
    """Checked once per process and playbook (a refusal is not cached: it is checked again next run)."""
    with read_session(_migrated_engine(url)) as session:
        gates.require_playbook_fits_history(session, book)
    return True


def refresh() -> None:
    """Read the data version for this rerun, before any data (app.py, and each fragment's own rerun).

    A version this process has not seen yet also drops every cached read: those of older versions would
    never be asked for again."""
    url = database_url()
    version = data_version(engine())
    st.session_state[VERSION_KEY] = version
    if _last_seen.get(url) != version:
        _last_seen[url] = version
        for read in _cached_reads:
            read.clear()


def _current_version() -> int:
    if VERSION_KEY not in st.session_state:
        refresh()
    return st.session_state[VERSION_KEY]


def cached_read(read: Callable[P, R]) -> Callable[P, R]:
    """st.cache_data for a read of the database, keyed on the data version this rerun read first."""

    def at_version(version: int, *args: Any, **kwargs: Any) -> R:
        return read(*args, **kwargs)

    # The cache tells functions apart by module and name: each read gets a name of its own.
    at_version.__module__, at_version.__qualname__ = read.__module__, f"{read.__qualname__}.at_version"
    cached = st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)(at_version)
    _cached_reads.append(cached)

    @functools.wraps(read)
    def current(*args: P.args, **kwargs: P.kwargs) -> R:
        return cached(_current_version(), *args, **kwargs)

    return current


@cached_read
def portfolio_tables(url: str, today: date, locale: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(one row per country, planned-versus-actual phase bars, decision and due-date markers)."""
    book = load_playbook()
    with read_session(_migrated_engine(url)) as session:
        countries = {country.code: country for country in list_countries(session)}
        statuses, timelines = gates.portfolio_with_timelines(session, today, book)
        return (
            portfolio.portfolio_frame(statuses, countries, book, locale),
            portfolio.timeline_frame(timelines, countries, book, locale, today),
            portfolio.timeline_markers(timelines, countries, locale),
        )


@cached_read
def active_markets(url: str, today: date) -> list[str]:
    """The countries not exited, from their decisions alone (no gate evaluated)."""
    with read_session(_migrated_engine(url)) as session:
        replayed = gates.all_timelines(session, today, load_playbook())
        return [code for code, timeline in replayed.items() if timeline.state != "exited"]


@cached_read
def decision_log(url: str, locale: str) -> pd.DataFrame:
    with read_session(_migrated_engine(url)) as session:
        countries = {country.code: country for country in list_countries(session)}
        return portfolio.decisions_frame(gates.decisions(session), countries, load_playbook(), locale)


@dataclass(frozen=True)
class ContentMarket:
    """What the Content page shows of one market, read once and cached until the next write."""

    matrix: pd.DataFrame
    backlog: pd.DataFrame
    progress: pd.DataFrame
    versions: dict[tuple[int, str], int]


@cached_read
def content_catalogue(url: str) -> pd.DataFrame:
    """The catalogue in derivation-tree order, with each piece's depth (content.catalogue_tree). A frame,
    not the pieces themselves: every rerun restores a copy, ~220 ms for 5,000 ORM objects, under 1 ms as a
    frame."""
    with read_session(_migrated_engine(url)) as session:
        return content.catalogue_tree(session)


@cached_read
def content_market(url: str, code: str) -> ContentMarket:
    with read_session(_migrated_engine(url)) as session:
        country = get_country(session, code)
        known = content.catalogue_status(session, country)  # read once for the three views
        return ContentMarket(
            matrix=content.matrix(session, country, known),
            backlog=content.backlog(session, country, known),
            progress=content.progress(session, country, known),
            versions={(t.content_id, t.locale): t.version for t in content.translations(session, code)},
        )


@cached_read
def gate_status(url: str, code: str, today: date) -> gates.GateStatus:
    """One market's current gate (its metrics are a query each, ~250 ms at large): for the Country page and
    the sales pages."""
    with read_session(_migrated_engine(url)) as session:
        return gates.gate_status(session, code, today=today, playbook=load_playbook())


@cached_read
def rate_book(url: str) -> money.RateBook:
    """Every exchange rate (6,300 at large), sorted once rather than on every rerun."""
    with read_session(_migrated_engine(url)) as session:
        return money.rate_book(session)


@cached_read
def catalogue_titles(url: str) -> list[str]:
    """The content catalogue's titles, A to Z, for picking a requested piece."""
    with read_session(_migrated_engine(url)) as session:
        return content.catalogue_titles(session)


@cached_read
def market_analytics(
    url: str, code: str, today: date, weeks: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One market's (funnel, weekly signals since `weeks` ago, win rate and cycle, days in each stage)."""
    with read_session(_migrated_engine(url)) as session:
        return (
            sales_analytics.funnel(session, code),
            sales_analytics.weekly_signals(session, code, today - timedelta(weeks=weeks)),
            sales_analytics.win_and_cycle(session, [code]),
            sales_analytics.time_in_stage(session, code, today),
        )


@cached_read
def blocked_days(url: str, codes: tuple[str, ...], start: date, end: date, locale: str) -> pd.DataFrame:
    """Every market's state day by day: the across-markets views read every country's calendar."""
    with read_session(_migrated_engine(url)) as session:
        return calendar_views.blocked_days(session, codes, start, end, locale)


@cached_read
def markets_side_by_side(
    url: str, today: date, currency: str, locale: str, codes: tuple[str, ...]
) -> tuple[pd.DataFrame, list[str]]:
    """sales_analytics.markets_side_by_side, the markets' table and the currencies left out."""
    with read_session(_migrated_engine(url)) as session:
        return sales_analytics.markets_side_by_side(
            session, today=today, currency=currency, locale=locale, codes=list(codes)
        )


@cached_read
def campaign_plan(url: str, code: str, start: date, end: date) -> pd.DataFrame:
    """The market's campaigns on local days within [start, end], a row each with what speaks against it
    today; `#`, `version` and `name` for the cancel form."""
    hq = f"HQ ({campaigns.hq_time_zone()})"
    with read_session(_migrated_engine(url)) as session:
        planned = campaigns.planned_with_conflicts(session, code, start, end)
    rows = [
        {
            "#": c.id,
            "version": c.version,
            "name": c.name,
            "channel": c.channel,
            "local time": c.starts_at.astimezone(ZoneInfo(c.time_zone)).strftime("%a %Y-%m-%d %H:%M"),
            "time zone": c.time_zone,
            hq: campaigns.in_hq_time(c.starts_at).strftime("%a %H:%M"),
            "timed to": c.occasion,
            "conflicts": " · ".join(w.message for w in warnings if w.is_problem),
            "owner": c.owner,
            "content": c.linked_content,
        }
        for c, warnings in planned
    ]
    columns = ["#", "version", "name", "channel", "local time", "time zone", hq, "timed to", "conflicts"]
    return pd.DataFrame(rows, columns=[*columns, "owner", "content"])


@cached_read
def market_tasks(url: str, code: str, today: date, assignee: str | None = None) -> pd.DataFrame:
    """The market's campaign tasks by due day (see campaign_tasks.market_tasks)."""
    with read_session(_migrated_engine(url)) as session:
        return campaign_tasks.market_tasks(session, code, today=today, assignee=assignee)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, max_entries=200)
def chart(name: str, *args: Any, locale: str = "en") -> dict:
    """charts.CHARTS[name](*args) as a dict for st.plotly_chart, its labels and numbers in `locale`: the
    figure is built once per distinct input (frames, playbook, day, locale) rather than on every rerun."""
    builder = charts.CHARTS[name]
    # Builders that write dates (axes, hovers) take the viewer's locale as a keyword.
    parameter = signature(builder).parameters.get("locale")
    keywords = (
        {"locale": locale} if parameter is not None and parameter.kind == Parameter.KEYWORD_ONLY else {}
    )
    return charts.localized(builder(*args, **keywords), locale).to_dict()


def after_write() -> None:
    """After a write from this session: the rest of this run reads what it wrote."""
    refresh()
