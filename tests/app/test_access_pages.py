"""Sign-in and roles in the running app: each role is offered and served only its pages, sees only the
forms it may use, and a write it may not make is refused by the domain even if a form were reached."""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from rollout.platform.access import PermissionDenied
from rollout.platform.db import get_engine, write_session
from rollout.platform.models import ROLES, Signal
from rollout.platform.users import add_user
from rollout.sales.pipeline import log_signal
from rollout.ui.navigation import PAGES, page_specs_for
from tests.app.conftest import APP, assert_clean, count

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "rollout",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://sso.example/.well-known/openid-configuration",
}
# What a role may see of a page: its forms (by a button label), or not.
FORMS = {
    "app_pages/country.py": {
        "Record decision": {"leadership", "admin"},
        "Save facts": {"leadership", "admin"},
    },
    "app_pages/portfolio.py": {},
}


def email(role: str) -> str:
    return f"{role}@team.example"


@pytest.fixture
def team_app(demo_app, url):
    """The demo, plus one user per role scoped to Spain and India (admins see all)."""
    with write_session(get_engine(url)) as session:
        for role in ROLES:
            countries = [] if role == "admin" else ["ES", "IN"]
            add_user(session, email=email(role), role=role, countries=countries, by="ceo@rollout.example")
    return url


def signed_in(user: dict) -> AppTest:
    """The app as `user` sees it; a signed-in user's provider has verified their email unless `user` says."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"email_verified": True, **user} if user.get("is_logged_in") else user
    return at.run()


def test_signed_out_visitors_see_only_the_sign_in_button(team_app):
    at = signed_in({"is_logged_in": False})
    assert_clean(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert [t.value for t in at.title] == ["Rollout"]
    assert not at.sidebar.multiselect and not at.dataframe


def test_a_signed_in_stranger_is_told_to_ask_an_admin(team_app):
    at = signed_in({"is_logged_in": True, "email": "stranger@else.example"})
    assert "has no access to Rollout yet" in at.error[0].value
    assert not at.dataframe


@pytest.mark.parametrize("claim", [{}, {"email_verified": False}, {"email_verified": "false"}])
def test_an_email_the_provider_has_not_verified_is_refused(team_app, claim):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email("admin"), **claim}
    at.run()
    assert "has not said that your email address is verified" in at.error[0].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert not at.sidebar.multiselect and not at.dataframe and not at.title


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_served_exactly_its_pages(team_app, role):
    at = signed_in({"is_logged_in": True, "email": email(role)})
    assert_clean(at)
    allowed = {spec.path for spec in page_specs_for(role)}
    served = refused = 0
    for spec in PAGES:
        if spec.path in allowed:
            at.switch_page(spec.path).run()
            assert_clean(at)
            assert spec.title in [t.value for t in at.title] + ["Local calendar"], spec.path
            served += 1
        else:
            # Not registered for this role: Streamlit will not run it, by link or by URL.
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.path)
            refused += 1
    print(f"{role}: {served} pages served, {refused} refused")
    assert served == len(allowed) and served + refused == len(PAGES)


@pytest.mark.parametrize("role", ROLES)
def test_forms_are_offered_only_to_roles_that_may_use_them(team_app, role):
    at = signed_in({"is_logged_in": True, "email": email(role)})
    at.switch_page("app_pages/country.py")
    at.query_params["country"] = "IN"  # at a gate in the demo
    at.run()
    assert_clean(at)
    labels = {b.label for b in at.button}
    for label, roles in FORMS["app_pages/country.py"].items():
        assert (label in labels) == (role in roles), (role, label)


def test_a_scoped_user_sees_only_their_countries(team_app):
    at = signed_in({"is_logged_in": True, "email": email("sales")})
    at.switch_page("app_pages/sales_log.py").run()
    assert_clean(at)
    assert at.selectbox(key="sales_country").options == ["Spain (ES)", "India (IN)"]
    assert "Signed in as sales@team\\.example · sales · ES, IN" in [c.value for c in at.sidebar.caption]


def test_a_write_outside_the_role_is_refused_even_when_submitted(team_app):
    """The page is not offered to marketers; the domain refuses their write anyway (nothing stored)."""
    before = count(team_app, Signal)
    with pytest.raises(PermissionDenied), write_session(get_engine(team_app)) as session:
        log_signal(
            session,
            code="ES",
            kind="meeting",
            occurred_on=__import__("datetime").date.today(),
            by=email("marketer"),
        )
    assert count(team_app, Signal) == before


def test_local_mode_shows_its_banner_and_refuses_a_network_address(url):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert_clean(at)
    assert "Local mode" in at.sidebar.warning[0].value
    served_on = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        config.set_option("server.address", served_on)
    assert "served on 0.0.0.0" in at.error[0].value
    assert not at.title and not at.dataframe


def test_scoped_users_see_only_their_markets_on_content_and_history(team_app):
    marketer = signed_in({"is_logged_in": True, "email": email("marketer")})
    marketer.switch_page("app_pages/content.py")
    marketer.session_state["content_view"] = "Translations by market"
    marketer.run()
    assert_clean(marketer)
    assert marketer.selectbox(key="content_country").options == ["Spain (ES)", "India (IN)"]

    leader = signed_in({"is_logged_in": True, "email": email("leadership")})
    leader.switch_page("app_pages/history.py").run()
    leader.toggle(key="history_table_view_fields").set_value(True).run()  # each field, with its record
    assert_clean(leader)
    records = leader.dataframe[1].value["record"]
    assert not records.empty and not records.str.startswith(("app_user", "exchangerate", "country IT")).any()
    leader.switch_page("app_pages/decisions.py").run()
    assert set(leader.dataframe[0].value["code"]) <= {"ES", "IN"}
