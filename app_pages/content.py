"""Content: the catalogue and its recycling tree, translations per market, the backlog, progress."""

import pandas as pd
import streamlit as st

from rollout.marketing.content import (
    TranslationChange,
    remove_content,
    save_content,
    save_translation,
    search_tree,
    stored_translation,
    target_locales,
    translated_for,
)
from rollout.platform.countries import list_countries
from rollout.platform.db import database_url, read_session
from rollout.platform.locales import locale_name
from rollout.platform.models import CONTENT_TYPES, TRANSLATION_STATUSES, ContentItem, Country
from rollout.platform.paging import containing
from rollout.ui import context, corrections, data, forms, pager, tables
from rollout.ui.actions import confirmations, write_then_rerun

engine, locale, today, actor = data.engine(), context.viewer_locale(), context.today(), context.acting_user()
TYPE_LABELS = {t: t.replace("_", " ").capitalize() for t in CONTENT_TYPES}
STATUS_LABELS = {
    "todo": "To do",
    "in_progress": "In progress",
    "in_review": "In review",
    "published": "Published",
    "source": "Original",
}
# The catalogue can be thousands of pieces: the tables show a page at a time, and the forms offer the pieces
# of that page.
FIND = "Find content by title"


def locale_label(tag: str) -> str:
    return locale_name(tag, context.viewer_locale())


PICK_SHOWN = "One of the pieces in the table above: find another by its title or turn the page."


def catalogue_tab() -> None:
    st.caption(
        "Each piece with what was derived from it below (an ebook, articles and posts from one webinar)."
    )
    tree = data.content_catalogue(database_url())
    search, shown, rows = pager.paged_frame(FIND, "catalogue", lambda search: search_tree(tree, search))
    st.caption(
        shown.describe()
        + (", each piece found under the pieces it was derived from." if search.strip() else ".")
    )
    tables.dataframe(
        pd.DataFrame(
            {
                "content": [
                    "    " * depth + ("↳ " if depth else "") + title
                    for depth, title in zip(rows["depth"], rows["title"], strict=True)
                ],
                "type": rows["content_type"].map(TYPE_LABELS),
                "words": rows["word_count"],
                "source language": rows["source_language"],
                "owner": rows["owner"],
                "link": [link or None for link in rows["link"]],
                "#": rows["id"],
            }
        ),
        hide_index=True,
        key="catalogue_table",
        column_config={"link": st.column_config.LinkColumn("Link")},
    )
    titles = dict(zip(rows["id"].tolist(), rows["title"], strict=True))
    with st.form("content_form"):
        st.markdown("**Add a piece of content**")
        left, right = st.columns(2)
        title = left.text_input("Title", key="content_title")
        content_type = right.selectbox(
            "Type", CONTENT_TYPES, format_func=TYPE_LABELS.__getitem__, key="content_type"
        )
        words = left.number_input("Word count", min_value=0, value=0, step=100, key="content_words")
        language = right.text_input("Source language", value="en", key="content_language")
        link = left.text_input("Link", key="content_link", placeholder="https://")
        parent = right.selectbox(
            "Derived from",
            [None, *titles],
            key="content_parent",
            format_func=lambda i: "—" if i is None else titles[i],
            help=PICK_SHOWN,
        )
        owner = left.text_input("Owner", value=actor, key="content_owner")
        if st.form_submit_button("Add content"):
            write_then_rerun(
                lambda session: save_content(
                    session,
                    by=actor,
                    title=title,
                    content_type=content_type,
                    word_count=words,
                    source_language=language,
                    link=link,
                    parent_id=parent,
                    owner=owner,
                ),
                f"Added '{title}'.",
            )
    correct_piece_form(titles)


PIECE_FIELDS = ("title", "content_type", "word_count", "source_language", "link", "parent_id", "owner")


def correct_piece_form(titles: dict[int, str]) -> None:
    """Correct a piece of the catalogue, or remove one added by mistake (asked first)."""
    if not titles:
        return
    st.markdown("**Correct or remove a piece**")
    item_id = st.selectbox(
        "Piece to correct", list(titles), key="fix_piece", format_func=titles.__getitem__, help=PICK_SHOWN
    )
    with read_session(engine) as session:
        item, markets = session.get(ContentItem, item_id), translated_for(session, item_id)
    if item is None:
        return  # removed meanwhile: the next rerun no longer lists it
    fields = {name: f"fix_piece_{name}" for name in PIECE_FIELDS}
    stored = {key: getattr(item, name) for name, key in fields.items()}
    start, version = corrections.start_editing("fix_piece", item_id, stored, item.version)
    parents = {key: title for key, title in titles.items() if key != item_id}
    if item.parent_id is not None and item.parent_id not in parents:
        parents[item.parent_id] = f"#{item.parent_id}"  # its parent is on another page of the table
    with st.form("fix_piece_form"):
        left, right = st.columns(2)
        left.text_input("Title", key=fields["title"])
        right.selectbox(
            "Type", CONTENT_TYPES, format_func=TYPE_LABELS.__getitem__, key=fields["content_type"]
        )
        left.number_input("Word count", min_value=0, step=100, key=fields["word_count"])
        right.text_input("Source language", key=fields["source_language"])
        left.text_input("Link", key=fields["link"], placeholder="https://")
        right.selectbox(
            "Derived from",
            [None, *parents],
            key=fields["parent_id"],
            format_func=lambda i: "—" if i is None else parents[i],
        )
        left.text_input("Owner", key=fields["owner"])
        if st.form_submit_button("Save piece"):
            corrections.save_changes(
                start,
                fields,
                lambda session, changes: save_content(
                    session, by=actor, item_id=item_id, expected_version=version, **changes
                ),
                lambda saved: f"Saved '{saved.title}'.",
            )
    translated = (
        f"its translations for {', '.join(markets)} go with it" if markets else "it has no translation"
    )
    corrections.remove_button(
        label=f"Remove '{item.title}'…",
        title=f"Remove '{item.title}' from the catalogue?",
        consequence=f"'{item.title}' leaves the catalogue, and {translated}. What they were stays in the "
        "History page.",
        work=lambda session: remove_content(session, item_id=item_id, by=actor, expected_version=version),
        message=f"Removed '{item.title}'.",
        key="remove_piece",
    )


def translations_tab(country: Country) -> None:
    locales = target_locales(country)
    if not locales:
        st.warning("This country has no target language: set its languages on the Country page.")
        return
    market = data.content_market(database_url(), country.code)
    # Versions as first shown (one not started yet is at 0): a save over a later change is refused. They
    # are the whole market's, kept while the form's content picker keeps its state, whatever page is shown.
    opened = context.opened_version(f"translation_content_{country.code}", market.versions)
    st.caption(
        f"Target locales: {', '.join(map(locale_label, locales))} (from the country's languages; change "
        "them on the Country page)."
    )
    # Each market keeps its own search and page: a search typed for one market means nothing in the next.
    _, shown, rows = pager.paged_frame(
        FIND, f"translations_{country.code}", lambda search: containing(market.matrix, "content", search)
    )
    st.caption(f"{shown.describe()}.")
    tables.dataframe(
        rows.assign(
            type=rows["type"].map(TYPE_LABELS), **{loc: rows[loc].map(STATUS_LABELS) for loc in locales}
        ),
        hide_index=True,
        key=f"matrix_{country.code}",
        column_config={loc: locale_label(loc) for loc in locales},  # Hindi (India), not hi_IN
    )
    titles = dict(zip(rows["id"].tolist(), rows["content"], strict=True))
    st.markdown("**Update a translation**")
    # The pieces are picked outside the form: the form then shows what is stored for that piece and locale.
    left, right = st.columns(2)
    content_id = left.selectbox(
        "Content",
        list(titles),
        key=f"translation_content_{country.code}",
        format_func=titles.__getitem__,
        help=PICK_SHOWN,
    )
    chosen_locale = right.selectbox(
        "Locale", locales, key=f"translation_locale_{country.code}", format_func=locale_label
    )
    if content_id is None:
        st.info("Content: none is shown above. Find the piece by its title, then pick it.")
        return
    with read_session(engine) as session:
        stored = stored_translation(session, country.code, content_id, chosen_locale)
    fields = {
        field: f"translation_{name}_{country.code}"
        for field, name in (
            ("status", "status"),
            ("assignee", "assignee"),
            ("due_on", "due"),
            ("published_link", "link"),
        )
    }
    start = forms.start_from(
        f"translation_{country.code}",
        (content_id, chosen_locale),
        {key: getattr(stored, field) for field, key in fields.items()},
    )
    with st.form(f"translation_form_{country.code}"):
        left, right = st.columns(2)
        left.selectbox(
            "Status", TRANSLATION_STATUSES, format_func=STATUS_LABELS.__getitem__, key=fields["status"]
        )
        right.text_input("Assignee (email; often the local hire)", key=fields["assignee"])
        left.date_input("Due", key=fields["due_on"])
        right.text_input("Published link", key=fields["published_link"], placeholder="https://")
        if st.form_submit_button("Save translation"):
            changes = forms.named(forms.edited(start), fields)
            if not changes:
                st.info("Nothing changed.")
                return
            # Only what was changed is written: giving a published page an assignee keeps it published.
            write_then_rerun(
                lambda session: save_translation(
                    session,
                    code=country.code,
                    content_id=content_id,
                    locale=chosen_locale,
                    change=TranslationChange(**changes),
                    by=actor,
                    expected_version=opened.get((content_id, chosen_locale), 0),
                ),
                lambda saved: f"Saved: {STATUS_LABELS[saved.status]} in {locale_label(chosen_locale)}.",
                opened=f"translation_content_{country.code}",
            )


def backlog_tab(country: Country) -> None:
    ranked = data.content_market(database_url(), country.code).backlog
    st.caption(
        "Website first, then what this market's prospects and partners ask for most (content requests in "
        "the sales log), then the rest."
    )
    shown = ranked.drop(columns=["id"]).assign(
        type=ranked["type"].map(TYPE_LABELS),
        **{
            "not published in": [
                ", ".join(locale_label(tag) for tag in tags.split(", ") if tag)
                for tags in ranked["not published in"]
            ]
        },
    )
    tables.dataframe(shown, hide_index=True, key=f"backlog_{country.code}")


def progress_tab(country: Country) -> None:
    shares = data.content_market(database_url(), country.code).progress
    if shares.empty:
        return
    shares = shares.assign(locale=shares["locale"].map(locale_label))
    st.plotly_chart(
        data.chart("translation_progress", shares, locale=context.viewer_locale()),
        key=f"progress_{country.code}",
    )
    tables.dataframe(
        shares,
        hide_index=True,
        key=f"progress_table_{country.code}",
        column_config={
            "translated": st.column_config.ProgressColumn("Translated", format="percent"),
            "published": st.column_config.ProgressColumn("Published", format="percent"),
        },
    )


st.title("Content")
context.show_flash()
with read_session(engine) as session:
    # A marketer works on their own markets (scope); the catalogue is shared by all.
    visible = [country for country in list_countries(session) if context.user().covers(country.code)]
countries = {country.code: country for country in visible}
# Only the chosen view runs: the catalogue, one market's matrix, its backlog or its progress.
catalogue_view, market_view = st.tabs(
    ["Catalogue", "Translations by market"], key="content_view", on_change="rerun"
)
with catalogue_view:
    if catalogue_view.open:
        catalogue_tab()
with market_view:
    if market_view.open:
        if not countries:
            st.info("No country yet.")
            st.stop()
        code = context.choose_country(countries, key="content_country")
        matrix_view, backlog_view, progress_view = st.tabs(
            ["Matrix", "Backlog", "Progress"], key="content_market_view", on_change="rerun"
        )
        with matrix_view:
            if matrix_view.open:
                translations_tab(countries[code])
        with backlog_view:
            if backlog_view.open:
                backlog_tab(countries[code])
        with progress_view:
            if progress_view.open:
                progress_tab(countries[code])
confirmations()
