"""Sidebar widgets shared by every page (created in app.py) and what they hold."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

import streamlit as st
from sqlalchemy import Engine

from rollout.platform.access import Action, Principal
from rollout.platform.countries import display_name, list_countries
from rollout.platform.db import read_session
from rollout.platform.locales import DEFAULT_VIEWER_LOCALE, VIEWER_LOCALES, country_name, language_name
from rollout.platform.models import Country
from rollout.ui import auth, data, failures
from rollout.ui.format import plain

T = TypeVar("T")
P = ParamSpec("P")
LOCALE_KEY, FILTER_KEY, FLASH_KEY, OPENED_KEY = "viewer_locale", "country_filter", "flash", "_opened_versions"


def today() -> date:
    return date.today()


def viewer_locale() -> str:
    return st.session_state.get(LOCALE_KEY, DEFAULT_VIEWER_LOCALE)


def viewer_zone() -> str:
    """The browser's time zone, in which instants are shown (named); UTC when the browser says none."""
    return st.context.timezone or "UTC"


def acting_user() -> str:
    """The email every write from this session is made as (authorized again by the domain)."""
    return auth.current_user().email


def user() -> Principal:
    return auth.current_user()


def can(action: Action) -> bool:
    """Whether to offer a form: the domain refuses the write anyway if not."""
    return auth.current_user().may(action)


def country_filter() -> list[str]:
    """The countries chosen in the sidebar; none chosen: the user's own countries (none: all)."""
    return st.session_state.get(FILTER_KEY) or list(user().countries)


def sidebar(engine: Engine, user: Principal) -> None:
    auth.view_as_banner()  # above the page
    with st.sidebar:
        auth.sidebar_identity()
        st.selectbox(
            "Display language (names, dates and numbers)",
            VIEWER_LOCALES,
            key=LOCALE_KEY,
            format_func=lambda tag: language_name(tag, tag).capitalize(),
        )
        with read_session(engine) as session:
            codes = [country.code for country in list_countries(session) if user.covers(country.code)]
        # Countries chosen before the user's scope changed (an admin now viewing as someone) are let go.
        chosen = st.session_state.get(FILTER_KEY, [])
        st.session_state[FILTER_KEY] = [code for code in chosen if code in codes]
        st.multiselect(
            "Countries",
            codes,
            key=FILTER_KEY,
            placeholder="All countries",
            format_func=lambda code: f"{country_name(code, viewer_locale())} ({code})",
        )


def fragment(body: Callable[P, None]) -> Callable[P, None]:
    """st.fragment for a part of a page that reruns on its own. Such a rerun skips app.py, so it signs the
    user in again (deactivated, or signed out: refused, as a full rerun would be) and reads the data
    version again (writes made elsewhere are seen), before the part is drawn."""

    @functools.wraps(body)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        before = auth.current_user()
        if auth.require_user() != before:
            st.rerun()  # another role or other countries: the whole page is drawn again for who they are now
        data.refresh()
        with failures.explained_failures():  # as app.py wraps a full run's page
            body(*args, **kwargs)

    return st.fragment(checked)


def flash(message: str) -> None:
    """Show `message` after the rerun that follows a write."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    if message := st.session_state.pop(FLASH_KEY, None):
        st.success(plain(message))  # messages quote what people typed: never read as Markdown


def choose_country(countries: dict[str, Country], key: str) -> str:
    """A country picker that follows ?country=CC (links from other pages) and writes it back."""
    codes = list(countries)
    if st.session_state.get(key) not in codes:
        wanted = st.query_params.get("country", "").upper()
        filtered = [code for code in country_filter() if code in codes]
        st.session_state[key] = wanted if wanted in codes else (filtered or codes)[0]
    code = st.selectbox(
        "Country",
        codes,
        key=key,
        format_func=lambda c: f"{display_name(countries[c], viewer_locale())} ({c})",
    )
    st.query_params["country"] = code
    return code


def countries_or_stop() -> dict[str, Country]:
    """The rollout's countries by code; on an empty database, where to start, and the page stops there."""
    with read_session(data.engine()) as session:
        countries = {
            country.code: country for country in list_countries(session) if user().covers(country.code)
        }
    if not countries:
        st.info("No country yet: add one on the Country page, or load the demo from the Portfolio page.")
        st.stop()
    return countries


def opened_version(widget_key: str, current: T) -> T:
    """The version(s) of the record(s) a form shows, as they were when the form was drawn afresh.

    A save names them, so a change someone else saved in between is refused instead of overwritten (see
    rollout.platform.locking). `widget_key` is a widget of the form: while it keeps its state the form keeps
    what the user saw and typed, so the versions are kept too; once Streamlit drops it (the user went to
    another page) the form is drawn from what is stored now, and so are the versions.
    """
    opened = st.session_state.setdefault(OPENED_KEY, {})
    if widget_key not in st.session_state or widget_key not in opened:
        opened[widget_key] = current
    return opened[widget_key]


def forget_opened_version(widget_key: str | None) -> None:
    """After a save (or a refused one) the form starts again from what is stored now."""
    st.session_state.get(OPENED_KEY, {}).pop(widget_key, None)
