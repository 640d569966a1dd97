"""Edit forms start from the record's stored values and write only the field the user changed."""

from __future__ import annotations

from sqlmodel import select

from rollout.marketing.content import TranslationChange, save_translation
from rollout.platform.countries import set_weekend
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import AppUser, ContentItem, Country, Hire, Signal, Translation
from tests.app.conftest import assert_clean, count, shown
from tests.app.test_content_pages import CONTENT, TRANSLATIONS, click, open_page

ADMIN = "ceo@rollout.example"


def piece(url: str, title: str) -> int:
    with read_session(get_engine(url)) as session:
        return session.exec(select(ContentItem.id).where(ContentItem.title == title)).one()


def stored_translation(url: str, content_id: int, locale: str) -> Translation:
    with read_session(get_engine(url)) as session:
        return session.exec(
            select(Translation).where(Translation.content_id == content_id, Translation.locale == locale)
        ).one()


def fields(record, names: tuple[str, ...]) -> dict:
    return {name: getattr(record, name) for name in names}


def test_giving_a_published_translation_an_assignee_keeps_it_published(demo_app, url):
    home = piece(url, "Website: home")
    with write_session(get_engine(url)) as session:
        save_translation(
            session,
            code="IN",
            content_id=home,
            locale="hi_IN",
            change=TranslationChange("published", published_link="https://www.rollout.example/hi"),
            by=ADMIN,
        )
    before = stored_translation(url, home, "hi_IN")
    at = open_page(demo_app, CONTENT, "IN", TRANSLATIONS)
    at.selectbox(key="translation_content_IN").set_value(home)
    at.selectbox(key="translation_locale_IN").set_value("hi_IN").run()
    # The form shows what is stored, not "To do".
    assert at.selectbox(key="translation_status_IN").value == "published"
    assert at.text_input(key="translation_link_IN").value == "https://www.rollout.example/hi"
    at.text_input(key="translation_assignee_IN").input("priya@rollout.example")
    click(at, "Save translation")
    assert_clean(at)
    after = stored_translation(url, home, "hi_IN")
    assert after.assignee == "priya@rollout.example"
    kept = ("status", "due_on", "published_link")
    assert fields(after, kept) == fields(before, kept)


def test_saving_one_fact_keeps_the_others_and_the_working_week(demo_app, url):
    with write_session(get_engine(url)) as session:
        set_weekend(session, code="IN", days=[6], by=ADMIN)
    with read_session(get_engine(url)) as session:
        before = session.get(Country, "IN")
    at = open_page(demo_app, "app_pages/country.py", "IN")
    assert at.multiselect(key="facts_languages_IN").value == before.languages
    assert at.selectbox(key="facts_currency_IN").value == before.currency
    monday_or_sunday = 0 if before.first_week_day else 6
    at.selectbox(key="facts_week_IN").set_value(monday_or_sunday)
    click(at, "Save facts")
    assert_clean(at)
    assert "Facts saved: first day of the week." in [shown(s.value) for s in at.success]
    with read_session(get_engine(url)) as session:
        after = session.get(Country, "IN")
    assert after.first_week_day == monday_or_sunday
    kept = ("display_name", "languages", "currency", "time_zones", "weekend_override")
    assert fields(after, kept) == fields(before, kept)


def test_changing_a_users_role_keeps_their_countries_and_activity(demo_app, url):
    with read_session(get_engine(url)) as session:
        before = next(u for u in session.exec(select(AppUser)) if u.role == "marketer" and u.countries)
    at = demo_app.switch_page("app_pages/users.py").run()
    at.selectbox(key="edit_user").set_value(before.email).run()
    assert at.multiselect(key=f"edit_user_countries_{before.email}").value == before.countries
    at.selectbox(key=f"edit_user_role_{before.email}").set_value("sales")
    click(at, "Save")
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        after = session.get(AppUser, before.id)
    assert after.role == "sales"
    assert fields(after, ("countries", "active", "name")) == fields(before, ("countries", "active", "name"))


def test_an_unchanged_form_writes_nothing(demo_app, url):
    with read_session(get_engine(url)) as session:
        version = session.get(Country, "ES").version
    at = open_page(demo_app, "app_pages/country.py", "ES")
    click(at, "Save facts")
    assert "Nothing changed." in [i.value for i in at.info]
    with read_session(get_engine(url)) as session:
        assert session.get(Country, "ES").version == version


def test_the_same_candidate_sent_twice_is_added_once_and_the_form_clears(demo_app, url):
    at = open_page(demo_app, "app_pages/talent.py", "BR")
    before = count(url, Hire)
    at.text_input(key="hire_candidate_BR").input("Joana Prado")
    click(at, "Add candidate")
    assert_clean(at)
    assert "Added Joana Prado as a candidate (Local marketing intern)." in [
        shown(s.value) for s in at.success
    ]
    assert at.text_input(key="hire_candidate_BR").value == ""  # ready for the next one
    # A double click: the browser sends the same form again.
    at.text_input(key="hire_candidate_BR").input("Joana Prado")
    click(at, "Add candidate")
    assert any("Already saved" in i.value for i in at.info)
    assert count(url, Hire) == before + 1


def test_the_same_signal_sent_twice_is_logged_once(demo_app, url):
    at = open_page(demo_app, "app_pages/sales_log.py", "ES")
    before = count(url, Signal)
    for _ in range(2):
        at.text_input(key="signal_account").input("Banco Norte")
        click(at, "Log signal")
        assert_clean(at)
    assert any("Already logged" in i.value for i in at.info)
    assert count(url, Signal) == before + 1


def test_deactivating_a_user_asks_first_naming_them(demo_app, url):
    with read_session(get_engine(url)) as session:
        user = next(u for u in session.exec(select(AppUser)) if u.role == "marketer" and u.active)
    at = demo_app.switch_page("app_pages/users.py").run()
    at.selectbox(key="edit_user").set_value(user.email).run()
    at.checkbox(key=f"edit_user_active_{user.email}").uncheck()
    click(at, "Save")
    assert_clean(at)
    assert any(user.email in shown(w.value) and "can no longer sign in" in shown(w.value) for w in at.warning)
    with read_session(get_engine(url)) as session:
        assert session.get(AppUser, user.id).active  # not until confirmed
    at.button(key="confirm_yes").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        after = session.get(AppUser, user.id)
    assert not after.active and (after.role, after.countries) == (user.role, user.countries)
