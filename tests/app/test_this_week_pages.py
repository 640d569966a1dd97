"""AppTest: This week is every role's start page, shows the role's sections over the user's countries, and
every line links to the page that acts on it, with the country it is about."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import parse_qs

import pytest
from babel.dates import format_date
from sqlmodel import select

from rollout.gates.decisions import record_decision
from rollout.marketing.campaigns import add_local_event
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import ROLES, AppUser
from rollout.sales.pipeline import log_signal
from rollout.ui.navigation import PAGES, page_specs_for
from rollout.weekly import url_path
from tests.app.conftest import assert_clean, run_app, shown
from tests.app.test_access_pages import email, signed_in, team_app  # noqa: F401  (fixture)

CEO = "ceo@rollout.example"
SECTIONS = {
    "leadership": [
        "Gates due in the next 14 days",
        "Markets off track or at risk since last week",
        "Decisions taken last week",
    ],
    "marketer": [
        "Campaigns in the next 14 days",
        "Translations due and to do",
        "Holidays and events in the next 14 days",
    ],
    "sales": [
        "Your markets' gate numbers",
        "Open deals with no activity for 30 days",
        "Content you asked for",
    ],
}
# Where each role's lines are acted on (url paths of the pages).
TARGETS = {
    "leadership": {"country"},
    "marketer": {"campaigns", "content", "calendar"},
    "sales": {"sales_log"},
}


@pytest.fixture
def week_app(demo_app, url):
    """The demo's This week as its admin (local mode) sees it, with a local event in Spain today."""
    with write_session(get_engine(url)) as session:
        add_local_event(
            session, code="ES", name="Feria", kind="opportunity", start=date.today(), end=date.today(), by=CEO
        )
    return demo_app.switch_page("app_pages/this_week.py").run()


def test_the_demo_opens_on_this_week(url, demo_template):
    shutil.copyfile(demo_template, url.removeprefix("sqlite:///"))
    at = run_app()
    assert_clean(at)
    assert [t.value for t in at.title] == ["This week"]


def links(at) -> list[tuple[str, str, str]]:
    """(page url path, label as shown, country) of every page link."""
    found = []
    for link in at.get("page_link"):
        query = parse_qs(link.proto.query_string)
        found.append((link.proto.page, shown(link.proto.label), query.get("country", [""])[0]))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_this_week_is_first_in_every_roles_navigation(role):
    assert page_specs_for(role)[0].path == "app_pages/this_week.py"


@pytest.fixture
def something_for_everyone(team_app) -> None:  # noqa: F811  (the fixture imported above)
    """Whatever day the tests run: a decision today, a local event today, a content request today."""
    today = date.today()
    with write_session(get_engine(team_app)) as session:
        record_decision(session, code="IN", outcome="hold", by="ceo@rollout.example", rationale="Budget")
        add_local_event(
            session,
            code="ES",
            name="Feria <local>",
            kind="opportunity",
            start=today,
            end=today,
            by=email("marketer"),
        )
        log_signal(
            session,
            code="IN",
            kind="content_request",
            occurred_on=today,
            by=email("sales"),
            content_title="Guide",
        )


@pytest.mark.usefixtures("something_for_everyone")
@pytest.mark.parametrize("role", ["leadership", "marketer", "sales"])
def test_each_role_starts_on_its_sections_of_its_countries(role):
    at = signed_in({"is_logged_in": True, "email": email(role)})
    assert_clean(at)
    assert [t.value for t in at.title] == ["This week"]
    assert [s.value for s in at.subheader] == SECTIONS[role]
    found = links(at)
    assert found, "the demo has something for every role this week"
    assert {page for page, _, _ in found} <= TARGETS[role]
    assert {country for _, _, country in found} <= {"ES", "IN"}  # the user's countries only
    assert {
        "leadership": "India: Hold at the Minimal marketing launch gate, by ceo@rollout.example",
        "marketer": "Spain: Feria <local> (local event)",
        "sales": "India: Guide, last asked; not in the catalogue yet",
    }[role] in [label.split(" · ", 1)[-1] for _, label, _ in found]


def test_an_admin_sees_every_roles_sections_under_headers(week_app):
    assert [h.value for h in week_app.header] == ["Leadership", "Marketing", "Sales"]
    assert [s.value for s in week_app.subheader] == [
        title for titles in SECTIONS.values() for title in titles
    ]
    spain = [label for page, label, country in links(week_app) if page == "calendar" and country == "ES"]
    assert f"{format_date(date.today(), format='medium', locale='en')} · Spain: Feria (local event)" in spain


def test_the_sidebar_countries_narrow_the_lines(week_app):
    week_app.multiselect(key="country_filter").set_value(["IT"]).run()
    assert_clean(week_app)
    assert {country for _, _, country in links(week_app)} == {"IT"}


def test_dates_are_written_in_the_display_language(week_app):
    week_app.selectbox(key="viewer_locale").set_value("fr").run()
    assert_clean(week_app)
    labels = [label for page, label, country in links(week_app) if page == "calendar" and country == "ES"]
    assert (
        f"{format_date(date.today(), format='medium', locale='fr')} · Espagne: Feria (local event)" in labels
    )


def test_a_new_database_starts_on_the_portfolio_where_the_demo_is_offered(url):
    at = run_app()
    assert_clean(at)
    assert at.button(key="load_demo").label == "Load demo data"


def test_the_digest_is_switched_off_and_its_language_chosen_on_this_week(week_app, url):
    week_app.toggle(key="digest_on").set_value(False)
    week_app.selectbox(key="digest_locale").set_value("de")
    next(b for b in week_app.button if b.label == "Save").click().run()
    assert_clean(week_app)
    assert shown(week_app.success[0].value) == "Weekly digest off: no more emails."
    with read_session(get_engine(url)) as session:
        me = session.exec(select(AppUser).where(AppUser.email == "ceo@rollout.example")).one()
    assert (me.weekly_digest, me.digest_locale) == (False, "de")
    assert week_app.toggle(key="digest_on").value is False  # drawn from what is stored


def test_digest_links_use_the_addresses_the_app_serves_pages_at():
    for spec in PAGES:
        assert url_path(spec.path) == (spec.url_path or PurePosixPath(spec.path).stem), spec.path
