"""Sign-in for real: an OpenID Connect provider on localhost (oidc-provider-mock), the app configured with
[auth] for it, and Chromium signing in as a user of each role through the provider's own pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from rollout.platform.countries import add_country
from rollout.platform.db import make_engine, read_session, write_session
from rollout.platform.models import Country
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user
from rollout.ui.navigation import PAGES, page_specs_for
from tests.e2e.conftest import free_port, serve, serve_app
from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e

ADMIN = "admin@signin.example"
SCOPED = {role: f"{role}@signin.example" for role in ("leadership", "sales", "marketer")}
# Both would be admins if the app trusted their email: one's provider says "false", the other's says nothing.
UNVERIFIED = {"false": "unverified@signin.example", "missing": "unclaimed@signin.example"}
CLAIMS = [
    *({"sub": email, "email": email, "email_verified": True} for email in (ADMIN, *SCOPED.values())),
    {"sub": UNVERIFIED["false"], "email": UNVERIFIED["false"], "email_verified": "false"},
    {"sub": UNVERIFIED["missing"], "email": UNVERIFIED["missing"]},
]
# A page of another role for each role, opened by its URL.
FORBIDDEN = {"leadership": "content", "sales": "users", "marketer": "decisions"}


@dataclass(frozen=True)
class SignInApp:
    url: str
    provider: str
    database_url: str


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """oidc-provider-mock on a free port, with every test user one click away."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    claims = [argument for claim in CLAIMS for argument in ("--user-claims", json.dumps(claim))]
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with serve(
        "oidc_provider_mock", ["--port", str(port), *claims], f"{url}/.well-known/openid-configuration", log
    ):
        yield url


def seed(database_url: str) -> None:
    """Spain and Italy in the rollout; an admin, one user per other role scoped to Spain, and the two
    unverified emails as admins (so letting them in would be seen)."""
    engine = make_engine(database_url)
    upgrade(engine)
    with write_session(engine, source="cli") as session:
        add_user(session, email=ADMIN, role="admin", by=ADMIN)
        for code in ("ES", "IT"):
            add_country(session, code=code, start_date=date(2026, 11, 2), by=ADMIN)
        for role, email in SCOPED.items():
            add_user(session, email=email, role=role, countries=["ES"], by=ADMIN)
        for email in UNVERIFIED.values():
            add_user(session, email=email, role="admin", by=ADMIN)
    engine.dispose()


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory, provider) -> Iterator[SignInApp]:
    """The app with [auth] pointing at the provider, on a seeded SQLite database of its own."""
    folder = tmp_path_factory.mktemp("signin_app")
    database_url = f"sqlite:///{folder / 'signin.db'}"
    seed(database_url)
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-cookie-secret-for-this-test-only"\n'
        'client_id = "rollout-test"\n'
        'client_secret = "rollout-test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {"ROLLOUT_DATABASE_URL": database_url}
    with serve_app(folder / "streamlit.log", env, "--secrets.files", str(secrets), port=port) as url:
        yield SignInApp(url, provider, database_url)


def sign_in(page: Page, app: SignInApp, email: str) -> None:
    """Through the provider's pages, as a person would: Sign in, then pick the account."""
    open_page(page, app.url)
    expect(page.get_by_text("Sign in with your company account to continue.")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app.provider}/**")
    page.get_by_role("button", name=email, exact=True).click()
    page.wait_for_url(f"{app.url}/**")
    wait_for_app(page)


def offered_pages(page: Page) -> list[str]:
    """The titles of the pages in the sidebar's navigation, all of them shown."""
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links.first).to_be_visible()
    return [text.strip().splitlines()[-1] for text in links.all_inner_texts()]  # after the icon's name


def sign_out(page: Page, app: SignInApp) -> None:
    page.locator(".st-key-sign_out button").click()
    # The provider ends its session too, on a page of its own, then sends the browser back to the app.
    page.wait_for_url(f"{app.provider}/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app.url}/**")
    wait_for_app(page)


def countries(app: SignInApp) -> set[str]:
    engine = make_engine(app.database_url)
    try:
        with read_session(engine) as session:
            return set(session.exec(select(Country.code)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("role", ["leadership", "sales", "marketer", "admin"])
def test_each_role_signs_in_is_offered_its_pages_and_signs_out(
    page: Page, signin_app: SignInApp, role: str, screenshots: Path
):
    email = ADMIN if role == "admin" else SCOPED[role]
    sign_in(page, signin_app, email)
    scope = "all countries" if role == "admin" else "ES"
    expect(page.get_by_text(f"Signed in as {email} · {role} · {scope}")).to_be_visible()
    assert offered_pages(page) == [spec.title for spec in page_specs_for(role)]
    page.screenshot(path=screenshots / f"signin_{role}.png", full_page=True)

    if role in FORBIDDEN:
        # Another role's page opened by its URL: its script never runs, the user's default page is shown.
        forbidden = next(spec for spec in PAGES if Path(spec.path).stem == FORBIDDEN[role])
        open_page(page, f"{signin_app.url}/{FORBIDDEN[role]}")
        expect(page.get_by_role("heading", name=page_specs_for(role)[0].title).first).to_be_visible()
        expect(page.get_by_role("dialog")).to_contain_text("Page not found")
        expect(page.get_by_role("heading", name=forbidden.title, exact=True)).to_have_count(0)
        page.screenshot(path=screenshots / f"signin_{role}_forbidden.png", full_page=True)
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)

    sign_out(page, signin_app)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    open_page(page, f"{signin_app.url}/country")  # signed out for good, not only on this screen
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_leader_adding_a_country_outside_their_own_is_refused(
    page: Page, signin_app: SignInApp, screenshots: Path
):
    sign_in(page, signin_app, SCOPED["leadership"])
    open_page(page, f"{signin_app.url}/country")
    page.get_by_text("Add a country").click()
    page.locator(".st-key-new_country_code").click()
    page.keyboard.type("France")
    page.get_by_role("option", name="France (FR)").click()
    page.get_by_role("button", name="Add country").click()
    wait_for_app(page)
    expect(
        page.get_by_text(f"{SCOPED['leadership']} works on ES, not FR. Nothing was changed.")
    ).to_be_visible()
    page.screenshot(path=screenshots / "signin_outside_countries.png", full_page=True)
    assert countries(signin_app) == {"ES", "IT"}


@pytest.mark.parametrize("claim", ["false", "missing"])
def test_an_email_the_provider_has_not_verified_is_refused(
    page: Page, signin_app: SignInApp, claim: str, screenshots: Path
):
    sign_in(page, signin_app, UNVERIFIED[claim])
    expect(page.get_by_text("has not said that your email address is verified")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    page.screenshot(path=screenshots / f"signin_unverified_{claim}.png", full_page=True)
