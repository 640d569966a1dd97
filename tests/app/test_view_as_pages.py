"""An admin viewing the app as a scoped user: that user's pages and countries under a banner, every write
refused, Stop returns to the admin; nobody else can start it, whatever they put in session state."""

from __future__ import annotations

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from rollout.platform import audit
from rollout.platform.access import Principal
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import AuditEntry, Signal
from rollout.platform.users import add_user
from rollout.ui.auth import VIEW_AS_KEY
from rollout.ui.navigation import PAGES, page_specs_for
from tests.app.conftest import APP, assert_clean, count, run_app, shown
from tests.app.test_access_pages import AUTH, signed_in

ADMIN, LUCIA = "ceo@rollout.example", "lucia@team.example"
BANNER = "Viewing as Lucía (sales · BR, ES) — read-only."


@pytest.fixture
def lucia(demo_app, url) -> str:
    with write_session(get_engine(url)) as session:
        add_user(session, email=LUCIA, name="Lucía", role="sales", countries=["ES", "BR"], by=ADMIN)
    return url


def start_viewing_as(at: AppTest, email: str) -> AppTest:
    at.selectbox(key="view_as_pick").select(email)
    at.button(key="view_as_start").click().run()
    assert_clean(at)
    return at


def served_pages(at: AppTest) -> set[str]:
    """The pages this session's navigation holds (a page it does not hold cannot be switched to)."""
    served = set()
    for spec in PAGES:
        try:
            at.switch_page(spec.path)
        except ValueError:
            continue
        served.add(spec.path)
    return served


def banners(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.main.warning]


def view_as_trail(url: str) -> list[tuple[str, str, str]]:
    with read_session(get_engine(url)) as session:
        query = select(AuditEntry).where(AuditEntry.table_name == audit.VIEW_AS).order_by(AuditEntry.id)
        return [(e.actor, e.action, e.record_key) for e in session.exec(query)]


def test_an_admin_sees_what_a_sales_user_is_offered_and_can_change_nothing(lucia):
    at = start_viewing_as(run_app(), LUCIA)
    assert BANNER in banners(at)
    assert served_pages(at) == {spec.path for spec in page_specs_for("sales")}
    assert at.sidebar.multiselect(key="country_filter").options == ["Spain (ES)", "Brazil (BR)"]

    at.switch_page("app_pages/sales_log.py").run()
    assert_clean(at)
    assert at.selectbox(key="sales_country").options == ["Spain (ES)", "Brazil (BR)"]
    assert BANNER in banners(at)  # on every page
    before = count(lucia, Signal)
    at.text_input(key="signal_account").input("Acme Iberia")
    at.button(key="FormSubmitter:signal_form-Log signal").click().run()
    assert_clean(at)
    errors = [shown(e.value) for e in at.error]
    assert any("viewing Rollout as Lucía (sales · BR, ES), read-only" in e for e in errors), errors
    assert count(lucia, Signal) == before
    assert at.text_input(key="signal_account").value == "Acme Iberia"  # what was typed is kept

    at.button(key="view_as_stop").click().run()
    assert_clean(at)
    assert not any("Viewing as" in b for b in banners(at))
    assert served_pages(at) == {spec.path for spec in PAGES}  # the admin's own pages again
    assert view_as_trail(lucia) == [(ADMIN, "start", LUCIA), (ADMIN, "stop", LUCIA)]


def test_a_signed_in_admin_can_view_as_too(lucia):
    with write_session(get_engine(lucia)) as session:
        add_user(session, email="it@team.example", role="admin", by=ADMIN)
    at = start_viewing_as(signed_in({"is_logged_in": True, "email": "it@team.example"}), LUCIA)
    assert BANNER in banners(at)
    assert served_pages(at) == {spec.path for spec in page_specs_for("sales")}
    assert view_as_trail(lucia) == [("it@team.example", "start", LUCIA)]


def test_a_non_admin_cannot_view_as_even_by_crafting_session_state(lucia):
    with write_session(get_engine(lucia)) as session:
        add_user(session, email="mia@team.example", role="marketer", countries=["IN"], by=ADMIN)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "mia@team.example", "email_verified": True}
    # As if the marketer had started viewing as Lucía, or an admin's view had been copied over.
    at.session_state[VIEW_AS_KEY] = Principal(
        LUCIA, "sales", ("BR", "ES"), "Lucía", viewed_by="mia@team.example"
    )
    at.run()
    assert_clean(at)
    assert not any("Viewing as" in b for b in banners(at))
    assert served_pages(at) == {spec.path for spec in page_specs_for("marketer")}
    assert not [b for b in at.button if b.key == "view_as_start"]  # no control offered
    assert at.sidebar.multiselect(key="country_filter").options == ["India (IN)"]
    assert view_as_trail(lucia) == []
