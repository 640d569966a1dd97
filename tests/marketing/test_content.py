"""The content catalogue, translations per target locale, demand and backlog, and the launch gate metrics.

On SQLite and PostgreSQL. India targets hi_IN then en_IN (CLDR's official languages, in CLDR's order).
The launch tests walk India through the shipped playbook into `marketing_launch`, whose gate reads
site_locales_published_share (threshold 1.0) and top_requested_content_published (threshold 5).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from rollout.marketing.content import (
    TranslationChange,
    backlog,
    catalogue,
    catalogue_titles,
    catalogue_tree,
    derivation_tree,
    matrix,
    most_requested,
    progress,
    request_counts,
    save_translation,
    search_tree,
    target_locales,
)
from rollout.platform.countries import get_country, update_facts
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.models import ContentItem, CountryFacts, Translation
from tests.conftest import ACTOR, TODAY
from tests.content_factories import (
    START,
    all_translations,
    edit,
    get_item,
    into_phase,
    item,
    translate,
)
from tests.factories import add, count, criterion, status
from tests.sales_factories import signal

INDIA = ["hi_IN", "en_IN"]
SWITZERLAND = ["de_CH", "gsw_CH", "fr_CH", "it_CH"]


@pytest.fixture
def india(engine):
    add(engine, "IN", START)
    return "IN"


def targets(engine, code: str) -> list[str]:
    with read_session(engine) as session:
        return target_locales(get_country(session, code))


def request(engine, title: str, times: int = 1, on: date = date(2026, 6, 1), code: str = "IN") -> None:
    for _ in range(times):
        signal(engine, code, on, kind="content_request", content_title=title, requested_by="prospect")


def counts(engine, code: str = "IN", until: date | None = None) -> Counter:
    with read_session(engine) as session:
        return request_counts(session, code, until)


def top_titles(engine, code: str = "IN", until: date | None = None, top: int = 5) -> list[str]:
    with read_session(engine) as session:
        return [i.title for i in most_requested(session, code, until=until, top=top)]


def frame(engine, function, code: str = "IN"):
    with read_session(engine) as session:
        return function(session, get_country(session, code))


# --- target locales --------------------------------------------------------------------------------


def test_india_targets_hindi_then_english(engine, india):
    assert targets(engine, "IN") == INDIA


def test_switzerland_targets_its_four_official_languages(engine):
    add(engine, "CH", START)
    assert targets(engine, "CH") == SWITZERLAND


def test_targets_follow_the_languages_edited_on_the_country_page(engine):
    add(engine, "CH", START)
    with write_session(engine) as session:
        country = get_country(session, "CH")
        facts = CountryFacts.model_validate(country.model_dump()).model_copy(
            update={"languages": ["de", "fr", "it"]}
        )
        update_facts(session, code="CH", facts=facts, by=ACTOR)
    assert targets(engine, "CH") == ["de_CH", "fr_CH", "it_CH"]
    piece = item(engine, "Website", "website", 100)
    with pytest.raises(RolloutError, match=re.escape("its targets: de_CH, fr_CH, it_CH")):
        translate(engine, "CH", piece, "gsw_CH", "in_progress")
    assert translate(engine, "CH", piece, "fr_CH", "in_progress").locale == "fr_CH"
    assert list(frame(engine, matrix, "CH").columns) == ["id", "content", "type", "de_CH", "fr_CH", "it_CH"]


def test_a_country_without_languages_targets_nothing(engine):
    add(engine, "CH", START)
    with write_session(engine) as session:
        country = get_country(session, "CH")
        facts = CountryFacts.model_validate(country.model_dump()).model_copy(update={"languages": []})
        update_facts(session, code="CH", facts=facts, by=ACTOR)
    assert targets(engine, "CH") == []
    piece = item(engine, "Website", "website", 100)
    with pytest.raises(RolloutError, match=re.escape("(its targets: none;")):
        translate(engine, "CH", piece, "de_CH", "in_progress")
    assert frame(engine, progress, "CH").empty
    assert count(engine, Translation) == 0


# --- the catalogue ---------------------------------------------------------------------------------


def test_save_content_creates_then_updates_the_same_entry(engine):
    piece = item(engine, "  Webinar: selling in India ", "webinar_script", 4200, owner="ana@rollout.example")
    created = get_item(engine, piece)
    assert (created.title, created.content_type, created.word_count) == (
        "Webinar: selling in India",
        "webinar_script",
        4200,
    )
    assert (created.source_language, created.link, created.parent_id) == (
        "fr",
        "",
        None,
    )  # the factory writes in French
    assert created.updated_by == ACTOR

    updated = edit(engine, piece, word_count=4500, link=" https://example.com/webinar ")
    assert updated.id == piece
    assert count(engine, ContentItem) == 1
    stored = get_item(engine, piece)
    assert (stored.title, stored.content_type, stored.owner) == (
        "Webinar: selling in India",
        "webinar_script",
        "ana@rollout.example",
    )  # what the update did not name is kept
    assert (stored.word_count, stored.link) == (4500, "https://example.com/webinar")


def test_updating_an_unknown_entry_is_not_found(engine):
    with pytest.raises(NotFound, match="content #404 does not exist"):
        edit(engine, 404, title="Ghost")


@pytest.mark.parametrize("title", ["", "   "])
def test_a_title_is_required(engine, title):
    with pytest.raises(RolloutError, match="title: required"):
        item(engine, title)
    assert count(engine, ContentItem) == 0
    piece = item(engine, "Ebook")
    with pytest.raises(RolloutError, match="title: required"):
        edit(engine, piece, title=title)
    assert get_item(engine, piece).title == "Ebook"


def test_an_unknown_type_is_refused(engine):
    with pytest.raises(RolloutError, match=r"type: 'podcast' is not one of website, website_page"):
        item(engine, "Episode 1", "podcast")
    assert count(engine, ContentItem) == 0


def test_a_negative_word_count_is_refused(engine):
    with pytest.raises(RolloutError, match="word count: must be zero or more"):
        item(engine, "Article", words=-1)
    assert count(engine, ContentItem) == 0
    assert get_item(engine, item(engine, "Article", words=0)).word_count == 0


@pytest.mark.parametrize("link", ["ftp://x", "www.x.com", "https://", "https://a b"])
def test_a_link_that_is_not_a_web_address_is_refused(engine, link):
    with pytest.raises(RolloutError, match=re.escape(f"link: '{link}' is not a web address")):
        item(engine, "Article", link=link)
    assert count(engine, ContentItem) == 0


def test_blank_and_web_links_are_accepted(engine):
    assert get_item(engine, item(engine, "A", link="  ")).link == ""
    assert (
        get_item(engine, item(engine, "B", link="http://example.com/b?x=1")).link
        == "http://example.com/b?x=1"
    )


def test_an_unknown_parent_is_refused(engine):
    with pytest.raises(RolloutError, match="derived from: content #999 does not exist"):
        item(engine, "Post", "linkedin_post", parent_id=999)
    assert count(engine, ContentItem) == 0


def test_a_derivation_cycle_is_refused_and_nothing_changes(engine):
    ebook = item(engine, "Ebook", "ebook")
    article = item(engine, "Article", "article", parent_id=ebook)
    post = item(engine, "Post", "linkedin_post", parent_id=article)
    with pytest.raises(RolloutError, match="would make a cycle"):
        edit(engine, ebook, parent_id=article, title="Ebook v2")  # ebook → article → ebook
    with pytest.raises(RolloutError, match="would make a cycle"):
        edit(engine, ebook, parent_id=post)  # three steps round
    with pytest.raises(RolloutError, match=re.escape(f"derived from: #{article} would make a cycle")):
        edit(engine, article, parent_id=article)  # derived from itself
    assert [(get_item(engine, i).title, get_item(engine, i).parent_id) for i in (ebook, article, post)] == [
        ("Ebook", None),
        ("Article", ebook),
        ("Post", article),
    ]
    edit(engine, post, parent_id=ebook)  # re-parenting without a cycle is fine
    assert get_item(engine, post).parent_id == ebook


def test_derivation_tree_lists_each_piece_followed_by_what_was_derived_from_it(engine):
    webinar = item(engine, "Webinar: selling in India", "webinar_script")
    ebook = item(engine, "Ebook: the India playbook", "ebook", parent_id=webinar)
    article = item(engine, "Article: five lessons", "article", parent_id=ebook)
    item(engine, "LinkedIn: lesson one", "linkedin_post", parent_id=article)
    item(engine, "article: a checklist", "article", parent_id=ebook)  # sibling; titles sort ignoring case
    item(engine, "Case study: Acme", "case_study")
    with read_session(engine) as session:
        tree = [(depth, piece.title) for depth, piece in derivation_tree(catalogue(session))]
    assert tree == [
        (0, "Case study: Acme"),
        (0, "Webinar: selling in India"),
        (1, "Ebook: the India playbook"),
        (2, "article: a checklist"),
        (2, "Article: five lessons"),
        (3, "LinkedIn: lesson one"),
    ]


def test_the_catalogue_tree_is_read_as_rows_in_tree_order_with_their_depth(engine):
    webinar = item(engine, "Webinar: selling in India", "webinar_script", words=3000)
    item(engine, "Ebook: the India playbook", "ebook", parent_id=webinar, link="https://example.com/ebook")
    item(engine, "Case study: Acme", "case_study", owner="amit@rollout.example")
    with read_session(engine) as session:
        tree = catalogue_tree(session)
        assert tree["id"].tolist() == [piece.id for _, piece in derivation_tree(catalogue(session))]
    assert tree.drop(columns=["id"]).values.tolist() == [
        [0, "Case study: Acme", "case_study", 0, "fr", "amit@rollout.example", ""],
        [0, "Webinar: selling in India", "webinar_script", 3000, "fr", "", ""],
        [1, "Ebook: the India playbook", "ebook", 0, "fr", "", "https://example.com/ebook"],
    ]


# A catalogue tree as catalogue_tree reads it (depth and title are what a search looks at).
TREE = pd.DataFrame(
    [
        (0, "Case study: Acme"),
        (0, "Webinar: selling in India"),
        (1, "Ebook: the India playbook"),
        (2, "Article: five lessons"),
        (3, "LinkedIn: lesson one"),
        (2, "Article: a checklist"),
        (1, "Webinar replay"),
        (0, "Website: home"),
        (1, "Website: pricing"),
    ],
    columns=["depth", "title"],
)


@pytest.mark.parametrize(
    ("search", "found"),
    [
        # Each piece found comes under the pieces it derives from, not with its siblings.
        (
            "lesson one",
            [
                "Webinar: selling in India",
                "Ebook: the India playbook",
                "Article: five lessons",
                "LinkedIn: lesson one",
            ],
        ),
        # Two found under the same source: the source once, in tree order.
        (
            "ARTICLE",
            [
                "Webinar: selling in India",
                "Ebook: the India playbook",
                "Article: five lessons",
                "Article: a checklist",
            ],
        ),
        # A piece found at the top: what was derived from it only if found too.
        ("website: home", ["Website: home"]),
        ("web", ["Webinar: selling in India", "Webinar replay", "Website: home", "Website: pricing"]),
        ("nothing like it", []),
        ("  ", TREE["title"].tolist()),
    ],
)
def test_a_search_of_the_tree_shows_each_piece_found_under_the_pieces_it_derives_from(search, found):
    assert search_tree(TREE, search)["title"].tolist() == found


# --- translations ----------------------------------------------------------------------------------


def test_a_locale_the_country_does_not_target_is_refused(engine, india):
    piece = item(engine, "Website", "website")
    with pytest.raises(RolloutError) as refused:
        translate(engine, "IN", piece, "fr_IN", "in_progress")
    assert "IN does not target 'fr_IN'" in str(refused.value)
    assert "its targets: hi_IN, en_IN" in str(refused.value)
    with pytest.raises(RolloutError, match="does not target 'hi_CH'"):
        translate(engine, "IN", piece, "hi_CH", "in_progress")
    assert count(engine, Translation) == 0


def test_an_unknown_status_is_refused(engine, india):
    piece = item(engine, "Website", "website")
    with pytest.raises(RolloutError, match="status: 'done' is not one of todo, in_progress"):
        translate(engine, "IN", piece, "hi_IN", "done")
    assert count(engine, Translation) == 0


def test_a_published_translation_needs_a_web_link(engine, india):
    piece = item(engine, "Website", "website")
    with pytest.raises(RolloutError, match="published link: required once a translation is published"):
        translate(engine, "IN", piece, "hi_IN", "published", link="")
    with pytest.raises(RolloutError, match=re.escape("published link: 'www.x.com' is not a web address")):
        translate(engine, "IN", piece, "hi_IN", "published", link="www.x.com")
    assert count(engine, Translation) == 0


def test_a_bad_assignee_email_is_refused(engine, india):
    piece = item(engine, "Website", "website")
    with pytest.raises(RolloutError, match="'priya at rollout' is not an email address"):
        translate(engine, "IN", piece, "hi_IN", "in_progress", assignee="priya at rollout")
    assert count(engine, Translation) == 0


def test_unknown_content_or_country_is_not_found(engine, india):
    with pytest.raises(NotFound, match="content #7 does not exist"):
        translate(engine, "IN", 7, "hi_IN", "in_progress")
    piece = item(engine, "Website", "website")
    with pytest.raises(NotFound, match="is not in the rollout yet"):
        translate(engine, "JP", piece, "ja_JP", "in_progress")
    assert count(engine, Translation) == 0


def test_saving_a_translation_again_updates_it(engine, india):
    piece = item(engine, "Website", "website")
    first = translate(
        engine,
        "IN",
        piece,
        "hi_IN",
        "in_progress",
        assignee=" Priya@Rollout.Example ",
        due_on=date(2026, 12, 1),
    )
    assert (first.status, first.assignee, first.due_on) == (
        "in_progress",
        "priya@rollout.example",
        date(2026, 12, 1),
    )
    second = translate(engine, "IN", piece, "hi_IN", "published", assignee="priya@rollout.example")
    assert second.id == first.id
    assert (second.status, second.published_link) == ("published", f"https://example.com/hi_IN/{piece}")
    translate(engine, "IN", piece, "en_IN", "in_review")
    assert all_translations(engine) == [
        (piece, "IN", "hi_IN", "published"),
        (piece, "IN", "en_IN", "in_review"),
    ]


def test_matrix_shows_each_status_and_todo_where_nothing_exists(engine, india):
    site = item(engine, "Website", "website", 500)
    case = item(engine, "Case study: Acme", "case_study", 800)
    translate(engine, "IN", site, "hi_IN", "published")
    translate(engine, "IN", site, "en_IN", "in_review")
    translate(engine, "IN", case, "en_IN", "in_progress")
    grid = frame(engine, matrix)
    assert list(grid.columns) == ["id", "content", "type", "hi_IN", "en_IN"]
    assert grid.to_dict("records") == [
        {
            "id": case,
            "content": "Case study: Acme",
            "type": "case_study",
            "hi_IN": "todo",
            "en_IN": "in_progress",
        },
        {"id": site, "content": "Website", "type": "website", "hi_IN": "published", "en_IN": "in_review"},
    ]


def test_matrix_of_an_empty_catalogue_has_the_locale_columns(engine, india):
    grid = frame(engine, matrix)
    assert grid.empty
    assert list(grid.columns) == ["id", "content", "type", "hi_IN", "en_IN"]


def test_progress_is_weighted_by_words(engine, india):
    short = item(engine, "Short article", "article", 1000)
    long = item(engine, "Long ebook", "ebook", 3000)
    translate(engine, "IN", short, "hi_IN", "published")
    translate(engine, "IN", long, "hi_IN", "in_review")
    translate(engine, "IN", long, "en_IN", "in_progress")  # not translated yet
    rows = {row["locale"]: row for row in frame(engine, progress).to_dict("records")}
    assert list(rows) == INDIA
    assert (rows["hi_IN"]["translated"], rows["hi_IN"]["published"]) == (1.0, 0.25)
    assert (rows["en_IN"]["translated"], rows["en_IN"]["published"]) == (0.0, 0.0)


def test_progress_of_an_empty_catalogue_is_zero(engine, india):
    assert frame(engine, progress).to_dict("records") == [
        {"locale": "hi_IN", "translated": 0.0, "published": 0.0},
        {"locale": "en_IN", "translated": 0.0, "published": 0.0},
    ]


# --- demand and backlog ----------------------------------------------------------------------------


def test_request_counts_group_titles_ignoring_case(engine, india):
    add(engine, "DE", START)
    request(engine, "Case study: Retail", 2)
    request(engine, "case study: RETAIL", on=date(2026, 9, 1))
    request(engine, "Pricing sheet")
    request(engine, "Case study: Retail", 5, code="DE")  # another country
    signal(engine, "IN", date(2026, 6, 2), kind="meeting", qualified=True)  # not a request
    assert counts(engine) == Counter({"case study: retail": 3, "pricing sheet": 1})
    assert counts(engine, until=date(2026, 8, 31)) == Counter({"case study: retail": 2, "pricing sheet": 1})


def test_most_requested_ranks_catalogue_pieces_nobody_else(engine, india):
    for title in ("Ebook: India playbook", "Case study: Retail", "Webinar", "Pricing page", "Nobody asked"):
        item(engine, title)
    request(engine, "case study: retail", 3)
    request(engine, "EBOOK: INDIA PLAYBOOK", 3)  # tie with the case study: by title
    request(engine, "Webinar", 2)
    request(engine, "Pricing page")
    request(engine, "Not in the catalogue", 9)
    assert top_titles(engine) == ["Case study: Retail", "Ebook: India playbook", "Webinar", "Pricing page"]
    assert top_titles(engine, top=2) == ["Case study: Retail", "Ebook: India playbook"]


@pytest.mark.parametrize(
    ("title", "asked_as"),
    [
        ("Étude de cas : commerce", ["Étude de cas : commerce", "ÉTUDE DE CAS : COMMERCE"]),
        ("Straßenhandel: Leitfaden", ["Straßenhandel: Leitfaden", "straßenhandel: LEITFADEN"]),
    ],
    ids=["accented-capital", "sharp-s"],
)
def test_requests_for_non_ascii_titles_count(engine, india, title, asked_as):
    """A title with an accented capital or ß, asked for as written and in capitals, is asked for twice."""
    item(engine, title, "case_study")
    for asked in asked_as:
        request(engine, asked)
    assert top_titles(engine) == [title]
    assert counts(engine)[title.casefold()] == 2


def test_backlog_puts_the_website_first_then_requested_pieces_then_the_rest(engine, india):
    home = item(engine, "Website", "website", 900)
    pricing = item(engine, "Pricing page", "website_page", 300)
    case = item(engine, "Case study: Retail", "case_study", 700)
    ebook = item(engine, "Ebook", "ebook", 5000)
    item(engine, "Zeta article", "article", 600)
    item(engine, "Alpha post", "linkedin_post", 80)
    done = item(engine, "Already everywhere", "article", 400)
    item(engine, "About us", "website_page", 200)
    request(engine, "pricing page", 2)  # website pieces too go by requests, then by title
    request(engine, "Case study: retail")
    request(engine, "EBOOK", 3)
    request(engine, "Already everywhere", 9)
    translate(engine, "IN", case, "hi_IN", "published")
    translate(engine, "IN", case, "en_IN", "in_review")  # in review is not published yet
    translate(engine, "IN", home, "en_IN", "published")
    for locale in INDIA:
        translate(engine, "IN", done, locale, "published")
    table = frame(engine, backlog)
    assert list(table.columns) == [
        "rank",
        "content",
        "type",
        "requests",
        "words",
        "not published in",
        "id",
        "why",
    ]
    rows = [
        (r["rank"], r["content"], r["requests"], r["not published in"], r["why"])
        for r in table.to_dict("records")
    ]
    assert rows == [
        (1, "Pricing page", 2, "hi_IN, en_IN", "website first"),
        (2, "About us", 0, "hi_IN, en_IN", "website first"),
        (3, "Website", 0, "hi_IN", "website first"),
        (4, "Ebook", 3, "hi_IN, en_IN", "requested by prospects and partners"),
        (5, "Case study: Retail", 1, "en_IN", "requested by prospects and partners"),
        (6, "Alpha post", 0, "hi_IN, en_IN", "the rest"),
        (7, "Zeta article", 0, "hi_IN, en_IN", "the rest"),
    ]
    assert (table.loc[0, "id"], table.loc[2, "id"]) == (pricing, home)
    assert (table.loc[3, "id"], table.loc[3, "type"], table.loc[3, "words"]) == (ebook, "ebook", 5000)


def test_a_piece_published_everywhere_leaves_the_backlog(engine, india):
    home = item(engine, "Website", "website", 900)
    translate(engine, "IN", home, "hi_IN", "published")
    assert frame(engine, backlog)["not published in"].tolist() == ["en_IN"]
    translate(engine, "IN", home, "en_IN", "published")
    table = frame(engine, backlog)
    assert table.empty
    assert "rank" in table.columns and "why" in table.columns


# --- launch gate metrics ---------------------------------------------------------------------------


@pytest.fixture
def launch(engine, playbook):
    into_phase(engine, playbook, "IN", "marketing_launch")
    return playbook


def site_live(engine, book, on: date = TODAY):
    gate = status(engine, book, "IN", on)
    assert gate.phase == "marketing_launch"
    return criterion(gate, "site_live")


def top_content(engine, book, on: date = TODAY):
    return criterion(status(engine, book, "IN", on), "top_content_translated")


def test_site_share_is_zero_without_website_pieces(engine, launch):
    article = item(engine, "Article", "article", 500)
    for locale in INDIA:
        translate(engine, "IN", article, locale, "published")
    result = site_live(engine, launch)
    assert (result.value, result.met, result.threshold, result.unit) == (0.0, False, 1.0, "share")


def test_site_share_counts_locales_where_every_website_piece_is_published(engine, launch):
    home = item(engine, "Website", "website", 900)
    pricing = item(engine, "Pricing page", "website_page", 300)
    translate(engine, "IN", home, "en_IN", "published")
    assert site_live(engine, launch).value == 0.0  # the pricing page is not live in en_IN yet
    translate(engine, "IN", pricing, "en_IN", "published")
    translate(engine, "IN", home, "hi_IN", "published")
    translate(engine, "IN", pricing, "hi_IN", "in_review")
    half = site_live(engine, launch)
    assert (half.value, half.met) == (0.5, False)
    translate(engine, "IN", pricing, "hi_IN", "published")  # the last locale goes live
    full = site_live(engine, launch)
    assert (full.value, full.met) == (1.0, True)


def test_site_share_ignores_other_countries(engine, launch):
    add(engine, "DE", START)
    home = item(engine, "Website", "website", 900)
    translate(engine, "IN", home, "en_IN", "published")
    translate(engine, "DE", home, "de_DE", "published")
    assert site_live(engine, launch).value == 0.5


def test_top_requested_content_counts_pieces_published_in_every_locale(engine, launch):
    pieces = {f"Piece {n}": item(engine, f"Piece {n}", "case_study", 100) for n in range(1, 7)}
    for rank, title in enumerate(pieces, start=1):
        request(engine, title, 7 - rank, on=date(2026, 6, 1))  # Piece 1 asked 6 times … Piece 6 once
    for locale in INDIA:
        translate(engine, "IN", pieces["Piece 1"], locale, "published")
        translate(engine, "IN", pieces["Piece 6"], locale, "published")  # published, but not in the top 5
    translate(engine, "IN", pieces["Piece 2"], "hi_IN", "published")  # one locale only
    result = top_content(engine, launch)
    assert (result.value, result.met, result.threshold) == (1.0, False, 5.0)
    translate(engine, "IN", pieces["Piece 2"], "en_IN", "published")
    assert top_content(engine, launch).value == 2.0
    for title in ("Piece 3", "Piece 4", "Piece 5"):
        for locale in INDIA:
            translate(engine, "IN", pieces[title], locale, "published")
    result = top_content(engine, launch)
    assert (result.value, result.met) == (5.0, True)


def test_top_requested_content_only_counts_requests_up_to_the_window_end(engine, launch):
    pieces = {f"Piece {n}": item(engine, f"Piece {n}", "case_study", 100) for n in range(1, 7)}
    for rank, title in enumerate(list(pieces)[:5], start=1):
        request(engine, title, 6 - rank, on=date(2026, 6, 1))  # Piece 1 asked 5 times … Piece 5 once
    request(engine, "Piece 6", 10, on=date(2026, 11, 20))  # asked for a lot, but only lately
    for title in ("Piece 1", "Piece 6"):
        for locale in INDIA:
            translate(engine, "IN", pieces[title], locale, "published")
    assert top_content(engine, launch, on=date(2026, 11, 10)).value == 1.0  # Piece 6 not asked for yet
    assert top_content(engine, launch, on=TODAY).value == 2.0  # Piece 6 now tops the list, Piece 5 drops
    with read_session(engine) as session:
        assert [i.title for i in most_requested(session, "IN", until=TODAY)][:2] == ["Piece 6", "Piece 1"]


def test_top_requested_content_is_zero_without_requests(engine, launch):
    piece = item(engine, "Piece", "case_study", 100)
    for locale in INDIA:
        translate(engine, "IN", piece, locale, "published")
    result = top_content(engine, launch)
    assert (result.value, result.met) == (0.0, False)


def test_content_in_the_locales_own_language_needs_no_translation(engine, launch):
    from rollout.marketing.content import backlog, progress

    english = item(engine, "Website: home", "website", words=500, source_language="en")
    with read_session(engine) as session:
        country = get_country(session, "IN")
        grid = matrix(session, country).set_index("id")
        assert (grid.loc[english, "en_IN"], grid.loc[english, "hi_IN"]) == ("source", "todo")
        shares = progress(session, country).set_index("locale")
        assert (shares.loc["en_IN", "published"], shares.loc["hi_IN", "published"]) == (1.0, 0.0)
        assert backlog(session, country).iloc[0]["not published in"] == "hi_IN"
    assert site_live(engine, launch).value == 0.5  # live in English already, not yet in Hindi


def test_changing_only_the_status_keeps_the_assignee_and_due_date(engine, launch):
    piece = item(engine, "Case study: Retail", "case_study", 500)
    with write_session(engine) as session:
        save_translation(
            session,
            code="IN",
            content_id=piece,
            locale="hi_IN",
            by=ACTOR,
            change=TranslationChange(
                status="in_progress", assignee="priya@rollout.example", due_on=date(2026, 12, 15)
            ),
        )
    with write_session(engine) as session:
        kept = save_translation(
            session,
            code="IN",
            content_id=piece,
            locale="hi_IN",
            by=ACTOR,
            change=TranslationChange(status="in_review"),
        )
        assert (kept.status, kept.assignee, kept.due_on) == (
            "in_review",
            "priya@rollout.example",
            date(2026, 12, 15),
        )


def test_catalogue_titles_are_the_catalogues_in_its_order(engine, india):
    for title in ("Webinar", "Case study: Retail", "Ebook: India playbook"):
        item(engine, title)
    with read_session(engine) as session:
        assert catalogue_titles(session) == [piece.title for piece in catalogue(session)]
        assert catalogue_titles(session) == ["Case study: Retail", "Ebook: India playbook", "Webinar"]


def test_a_change_without_a_status_keeps_the_stored_one(engine, india):
    home = item(engine, "Website: home", "website")
    translate(engine, "IN", home, "hi_IN", "published")
    with write_session(engine) as session:
        saved = save_translation(
            session,
            code="IN",
            content_id=home,
            locale="hi_IN",
            change=TranslationChange(assignee="Priya@Rollout.example"),
            by=ACTOR,
        )
        assert (saved.status, saved.assignee) == ("published", "priya@rollout.example")
        assert saved.published_link.startswith("https://")


def test_a_new_translation_given_no_status_starts_at_to_do(engine, india):
    piece = item(engine, "Ebook", "ebook")
    assert translate(engine, "IN", piece, "hi_IN", status=None).status == "todo"
