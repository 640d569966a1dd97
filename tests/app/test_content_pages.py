"""AppTest of the content and talent pages on the demo."""

from __future__ import annotations

from sqlmodel import select

from rollout.marketing.content import save_content
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import ContentItem, Hire, HireStageChange, Translation
from tests.app.conftest import assert_clean, count, run_app, shown

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


def add_pieces(url, count: int) -> list[int]:
    """`count` articles written in French (so every target locale needs them translated), in one write."""
    with write_session(get_engine(url)) as session:
        return [
            save_content(
                session,
                by="ceo@rollout.example",
                title=f"Bulk piece {n:03}",
                content_type="article",
                source_language="fr",
                word_count=100,
            ).id
            for n in range(count)
        ]


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


def test_the_catalogue_is_paged_in_tree_order_and_searched_by_title(demo_app, url):
    add_pieces(url, 200)  # 214 pieces with the demo's: two pages
    at = open_page(demo_app, CONTENT, "DE")
    first = table(at, "#")
    assert len(first) == 200 and "Page 1 of 2: rows 1–200 of 214." in [c.value for c in at.caption]
    # What can be picked as the source of a new piece: the pieces shown.
    assert at.selectbox(key="content_parent").options == ["—", *first["content"].str.lstrip(" ↳")]
    at.number_input(key="catalogue_page").set_value(2).run()
    second = table(at, "#")
    assert len(second) == 14 and "Page 2 of 2: rows 201–214 of 214." in [c.value for c in at.caption]
    assert sorted([*first["#"], *second["#"]]) == list(range(1, 215))  # every piece once
    # Tree order: the webinar script is followed by what was derived from it, indented.
    shown_rows = [*first["content"], *second["content"]]
    script = shown_rows.index("Webinar script: automating month-end")
    assert shown_rows[script + 1 : script + 4] == [
        "    ↳ Ebook: the month-end playbook",
        "        ↳ Article: five month-end mistakes",
        "            ↳ LinkedIn post: month-end in three numbers",
    ]

    # A search starts again at page 1 and shows each piece found under the pieces it derives from.
    at.text_input(key="catalogue_search").input("MISTAKES").run()
    assert at.number_input(key="catalogue_page").value == 1
    assert table(at, "#")["content"].tolist() == [
        "Webinar script: automating month-end",
        "    ↳ Ebook: the month-end playbook",
        "        ↳ Article: five month-end mistakes",
    ]
    assert "Page 1 of 1: rows 1–3 of 3, each piece found under the pieces it was derived from." in [
        c.value for c in at.caption
    ]

    # A piece found by its title is offered as the source of a new one.
    at.text_input(key="catalogue_search").input("bulk piece 150").run()
    (found,) = table(at, "#")["#"]
    at.text_input(key="content_title").input("LinkedIn post: piece 150 in one line")
    at.selectbox(key="content_parent").set_value(found)
    next(b for b in at.button if b.label == "Add content").click().run()
    assert_clean(at)
    assert "Added 'LinkedIn post: piece 150 in one line'." in [shown(s.value) for s in at.success]
    with read_session(get_engine(url)) as session:
        added = session.exec(
            select(ContentItem).where(ContentItem.title.startswith("LinkedIn post: piece"))
        ).one()
    assert added.parent_id == found


def piece_on_page_two(at) -> int:
    """Bulk piece 199, on the matrix's page two: by title, "Article: five month-end mistakes" and Bulk
    pieces 000–198 fill page one."""
    shown_rows = table(at, "id")
    assert at.number_input(key="translations_IN_page").value == 2
    return int(shown_rows.set_index("content").loc["Bulk piece 199", "id"])


def stored_status(url, content_id: int) -> str:
    """India's hi_IN translation of the piece, as stored."""
    with read_session(get_engine(url)) as session:
        return session.exec(
            select(Translation.status).where(
                Translation.content_id == content_id,
                Translation.country_code == "IN",
                Translation.locale == "hi_IN",
            )
        ).one()


def save_translation_of(at, content_id: int, status: str = "in_progress"):
    at.selectbox(key="translation_content_IN").set_value(content_id)
    at.selectbox(key="translation_locale_IN").set_value("hi_IN").run()  # the form shows that translation
    at.selectbox(key="translation_status_IN").set_value(status)
    return next(b for b in at.button if b.label == "Save translation").click().run()


def test_the_matrix_is_paged_and_searched_and_a_piece_on_page_two_is_saved(demo_app, url):
    add_pieces(url, 200)
    at = open_page(demo_app, CONTENT, "IN", TRANSLATIONS)
    assert len(table(at, "id")) == 200 and "Page 1 of 2: rows 1–200 of 214." in [c.value for c in at.caption]
    at.number_input(key="translations_IN_page").set_value(2).run()
    second = table(at, "id")
    assert len(second) == 14
    # The form offers the pieces shown, not the whole catalogue.
    assert at.selectbox(key="translation_content_IN").options == second["content"].tolist()
    piece = piece_on_page_two(at)
    at = save_translation_of(at, piece)
    assert_clean(at)
    assert "Saved: In progress in Hindi (India)." in [shown(s.value) for s in at.success]
    # The page is drawn again where the marketer was: the matrix, its page two, the piece's new status.
    row = table(at, "id").set_index("id").loc[piece]
    assert (row["hi_IN"], row["en_IN"]) == ("In progress", "To do")
    assert stored_status(url, piece) == "in_progress"

    at.text_input(key="translations_IN_search").input("Bulk piece 04").run()
    assert at.number_input(key="translations_IN_page").value == 1
    assert table(at, "id")["content"].tolist() == [f"Bulk piece {n:03}" for n in range(40, 50)]
    assert at.selectbox(key="translation_content_IN").options == [f"Bulk piece {n:03}" for n in range(40, 50)]


def test_with_nothing_found_the_form_says_what_is_missing(demo_app, url):
    at = open_page(demo_app, CONTENT, "IN", TRANSLATIONS)
    at.text_input(key="translations_IN_search").input("no piece is called this").run()
    assert table(at, "id").empty and at.selectbox(key="translation_content_IN").options == []
    assert_clean(at)
    # Nothing to save to: no form, and a message saying how to find the piece.
    assert any("Content: none is shown above" in shown(i.value) for i in at.info)
    assert not [b for b in at.button if b.label == "Save translation"]


def test_a_save_from_page_two_is_refused_when_a_colleague_changed_that_translation_since(demo_app, url):
    add_pieces(url, 200)
    first = open_page(demo_app, CONTENT, "IN", TRANSLATIONS)
    second = open_page(run_app(), CONTENT, "IN", TRANSLATIONS)  # both forms open on what is stored now
    for at in (first, second):
        at.number_input(key="translations_IN_page").set_value(2).run()
    piece = piece_on_page_two(first)
    assert_clean(save_translation_of(first, piece, "in_progress"))
    save_translation_of(second, piece, "in_review")
    assert any("changed by ceo@rollout.example" in shown(e.value) for e in second.error)
    assert stored_status(url, piece) == "in_progress"
    # Having seen the conflict, the second marketer's next save starts from what is stored now.
    assert_clean(save_translation_of(second, piece, "in_review"))
    assert stored_status(url, piece) == "in_review"


def test_hiring_a_native_marketer_through_to_started(demo_app, url):
    at = open_page(demo_app, "app_pages/talent.py", "BR")
    at.text_input(key="hire_candidate_BR").input("Ana Ribeiro")
    click(at, "Add candidate")
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        hire = session.exec(select(Hire).where(Hire.candidate == "Ana Ribeiro")).one()
    assert (hire.native_languages, hire.native_country, hire.stage) == (["pt"], "BR", "sourcing")
    at.selectbox(key="move_hire_BR").set_value(hire.id).run()
    assert at.selectbox(key="move_stage_BR").value == "interviewing"  # the next stage is proposed
    at.selectbox(key="move_stage_BR").set_value("started")
    at.text_input(key="move_email_BR").input("ana.ribeiro@rollout.example")
    click(at, "Move")
    assert_clean(at)
    at.selectbox(key="move_hire_BR").set_value(hire.id).run()
    assert at.selectbox(key="move_stage_BR").value == "converted"
    at.selectbox(key="move_stage_BR").set_value("interviewing")
    click(at, "Move")
    assert any("reason: required to move Ana Ribeiro back" in shown(e.value) for e in at.error)
    with read_session(get_engine(url)) as session:
        stages = [
            c.stage for c in session.exec(select(HireStageChange).where(HireStageChange.hire_id == hire.id))
        ]
        assert session.get(Hire, hire.id).email == "ana.ribeiro@rollout.example"
    assert stages == ["sourcing", "started"]


def test_a_matrix_search_stays_with_its_market(demo_app, url):
    at = open_page(demo_app, CONTENT, "IN", TRANSLATIONS)
    whole = len(table(at, "id"))
    at.text_input(key="translations_IN_search").input("pricing page").run()
    assert table(at, "id")["content"].tolist() == ["Website: pricing page"]
    at.selectbox(key="content_country").set_value("DE").run()
    assert_clean(at)
    # Germany's whole matrix, not India's search applied to it.
    assert at.text_input(key="translations_DE_search").value == ""
    assert "Website: home" in table(at, "id")["content"].tolist()
    at.selectbox(key="content_country").set_value("IN").run()
    assert len(table(at, "id")) == whole  # back in India: its whole matrix again, on its first page
    assert at.number_input(key="translations_IN_page").value == 1
