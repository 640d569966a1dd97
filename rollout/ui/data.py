"""The engine and cached reads. Reads are cached briefly and cleared after every write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from rollout import calendar_views, content, gates, portfolio
from rollout.countries import get_country, list_countries
from rollout.db import database_url, get_engine, read_session
from rollout.models import ContentItem
from rollout.playbook import Playbook, load_playbook
from rollout.schema import upgrade

CACHE_SECONDS = 60


@st.cache_resource
def _migrated_engine(url: str) -> Engine:
    engine = get_engine(url)
    upgrade(engine)
    return engine


def engine() -> Engine:
    """The process-wide engine, its schema brought up to date on first use."""
    return _migrated_engine(database_url())


def playbook() -> Playbook:
    return load_playbook()


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
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


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
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
    titles: dict[int, str]
    versions: dict[tuple[int, str], int]


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def content_catalogue(url: str) -> list[tuple[int, ContentItem]]:
    """The catalogue in derivation-tree order: (depth, item)."""
    with read_session(_migrated_engine(url)) as session:
        return content.derivation_tree(content.catalogue(session))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def content_market(url: str, code: str) -> ContentMarket:
    with read_session(_migrated_engine(url)) as session:
        country = get_country(session, code)
        return ContentMarket(
            matrix=content.matrix(session, country),
            backlog=content.backlog(session, country),
            progress=content.progress(session, country),
            titles={item.id: item.title for item in content.catalogue(session)},
            versions={(t.content_id, t.locale): t.version for t in content.translations(session, code)},
        )


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def blocked_days(url: str, codes: tuple[str, ...], start: date, end: date, locale: str) -> pd.DataFrame:
    """Every market's state day by day: the across-markets views read every country's calendar."""
    with read_session(_migrated_engine(url)) as session:
        return calendar_views.blocked_days(session, codes, start, end, locale)


def after_write() -> None:
    st.cache_data.clear()
