"""Writes made outside this app process (another server, the CLI) are seen on the next rerun; a fragment's
own rerun acts as the user as they are now."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from rollout.cli import main
from rollout.platform.countries import add_country
from rollout.platform.db import make_engine, read_session, write_session
from rollout.platform.users import add_user, find_user, update_user
from tests.app.conftest import assert_clean
from tests.app.test_access_pages import AUTH

CEO = "ceo@rollout.example"
SELLER = "seller@team.example"


def test_another_servers_and_the_command_lines_writes_are_seen_on_the_next_rerun(demo_app, url):
    at = demo_app  # the portfolio, read (and cached) with the demo's 8 countries
    assert len(at.dataframe[0].value) == 8
    other_server = make_engine(url)  # an engine of its own: nothing of it is shared with the app's
    try:
        with write_session(other_server) as session:
            add_country(session, code="FR", start_date=date(2026, 11, 1), by=CEO)
    finally:
        other_server.dispose()
    at.run()
    assert_clean(at)
    assert len(at.dataframe[0].value) == 9

    at.switch_page("app_pages/decisions.py").run()
    assert len(at.dataframe[0].value) == 20
    assert main(["decide", "JP", "stop", "--why", "No hire in sight.", "--by", CEO]) == 0
    at.run()
    log = at.dataframe[0].value
    assert len(log) == 21
    assert (log.iloc[0]["code"], log.iloc[0]["outcome"]) == ("JP", "Stop")


def signed_in_part() -> None:
    """A page with a fragment; a run after the first stands for the fragment's own rerun, which skips app.py
    (AppTest reruns whole scripts)."""
    import streamlit as st

    from rollout.ui import auth, context

    if auth.USER_KEY not in st.session_state:
        auth.require_user()  # the full run's sign-in, as app.py does it

    @context.fragment
    def part() -> None:
        st.markdown(f"Deals of {context.acting_user()}")

    part()


def test_a_fragment_rerun_of_a_deactivated_user_is_refused(demo_app, url):
    engine = make_engine(url)
    try:
        with write_session(engine) as session:
            add_user(session, email=SELLER, role="sales", countries=["ES"], by=CEO)
        at = AppTest.from_function(signed_in_part, default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": SELLER, "email_verified": True}
        at.run()
        assert_clean(at)
        assert [m.value for m in at.markdown] == [f"Deals of {SELLER}"]

        with read_session(engine) as session:
            version = find_user(session, SELLER).version
        with write_session(engine) as session:
            update_user(session, email=SELLER, by=CEO, expected_version=version, active=False)
        at.run()
        assert "has no access to Rollout" in at.error[0].value
        assert not at.markdown
    finally:
        engine.dispose()
