"""AppTest of the content and talent pages on the demo."""

from __future__ import annotations

from sqlmodel import select

from rollout.db import get_engine, read_session
from rollout.models import ContentItem, Hire, HireStageChange, Translation
from tests.app.conftest import assert_clean, count, shown

CONTENT = "app_pages/content.py"
TRANSLATIONS = {"content_view": "Translations by market"}


def open_page(at, page: str, country: str, view: dict[str, str] | None = None):
    """The page for `country`, with the tabs of `view` chosen (e.g. TRANSLATIONS)."""
    at = at.switch_page(page)
    at.query_params["country"] = country
    for key, label in (view or {}).items():
        at.session_state[key] = label
    return at.run()


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def test_adding_content_derived_from_a_webinar(demo_app, url):
    at = open_page(demo_app, CONTENT, "DE")
    with read_session(get_engine(url)) as session:
        script = session.exec(select(ContentItem).where(ContentItem.title.startswith("Webinar script"))).one()
    at.text_input(key="content_title").input("LinkedIn carousel: month-end myths")
    at.selectbox(key="content_type").set_value("linkedin_post")
    at.selectbox(key="content_parent").set_value(script.id)
    click(at, "Add content")
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        added = session.exec(
            select(ContentItem).where(ContentItem.title.startswith("LinkedIn carousel"))
        ).one()
    assert added.parent_id == script.id


def test_a_link_that_is_not_a_url_is_refused(demo_app, url):
    at = open_page(demo_app, CONTENT, "DE")
    before = count(url, ContentItem)
    at.text_input(key="content_title").input("Partner kit")
    at.text_input(key="content_link").input("www.example.com/kit")
    click(at, "Add content")
    assert any("link: 'www.example.com/kit' is not a web address" in shown(e.value) for e in at.error)
    assert count(url, ContentItem) == before


def test_publishing_without_a_link_is_refused_and_nothing_changes(demo_app, url):
    at = open_page(demo_app, CONTENT, "IT", TRANSLATIONS)
    before = count(url, Translation)
    at.selectbox(key="translation_status_IT").set_value("published")
    click(at, "Save translation")
    assert any("published link: required" in shown(e.value) for e in at.error)
    assert count(url, Translation) == before


def table(at, column: str):
    """The one table shown with `column` (the catalogue has '#', the matrix 'id')."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def keys(at) -> set[str]:
    return {s.key for s in at.selectbox}


def test_only_the_chosen_view_runs(demo_app):
    at = open_page(demo_app, CONTENT, "IN")
    assert_clean(at)
    assert "content_parent" in keys(at) and "content_country" not in keys(at)
    assert [list(d.value.columns)[-1] for d in at.dataframe] == ["#"]  # the catalogue alone

    at.session_state["content_view"] = "Translations by market"
    at.run()
    assert_clean(at)
    assert {"content_country", "translation_content_IN"} <= keys(at) and "content_parent" not in keys(at)
    assert list(table(at, "id").columns) == ["id", "content", "type", "hi_IN", "en_IN"]
    assert not any("rank" in d.value.columns for d in at.dataframe) and not at.get("plotly_chart")

    at.session_state["content_market_view"] = "Backlog"
    at.run()
    assert_clean(at)
    assert "translation_content_IN" not in keys(at)
    assert [list(d.value.columns)[0] for d in at.dataframe] == ["rank"] and not at.get("plotly_chart")

    at.session_state["content_market_view"] = "Progress"
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 1
    assert [list(d.value.columns) for d in at.dataframe] == [["locale", "translated", "published"]]


def test_hiring_a_native_marketer_through_to_started(demo_app, url):
    at = open_page(demo_app, "app_pages/talent.py", "BR")
    at.text_input(key="hire_candidate_BR").input("Ana Ribeiro")
    click(at, "Add candidate")
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        hire = session.exec(select(Hire).where(Hire.candidate == "Ana Ribeiro")).one()
    assert (hire.native_languages, hire.native_country, hire.stage) == (["pt"], "BR", "sourcing")
    at.selectbox(key="move_hire_BR").set_value(hire.id)
    at.selectbox(key="move_stage_BR").set_value("started")
    at.text_input(key="move_email_BR").input("ana.ribeiro@rollout.example")
    click(at, "Move")
    assert_clean(at)
    at.selectbox(key="move_hire_BR").set_value(hire.id)
    at.selectbox(key="move_stage_BR").set_value("interviewing")
    click(at, "Move")
    assert any("reason: required to move Ana Ribeiro back" in shown(e.value) for e in at.error)
    with read_session(get_engine(url)) as session:
        stages = [
            c.stage for c in session.exec(select(HireStageChange).where(HireStageChange.hire_id == hire.id))
        ]
        assert session.get(Hire, hire.id).email == "ana.ribeiro@rollout.example"
    assert stages == ["sourcing", "started"]
