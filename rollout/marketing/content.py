"""The content catalogue, its recycling tree, translations per target locale, and the launch gate metrics.

A country's target locales are its languages (CLDR's official ones, editable on the Country page) in
that country: India → en_IN and hi_IN, Switzerland → de_CH, fr_CH, it_CH.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeVar, cast
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.gates.metrics import MetricWindow, register_batched
from rollout.platform.access import Action, PermissionDenied, authorize, principal
from rollout.platform.countries import get_country
from rollout.platform.errors import NotFound, RolloutError, require_email
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import (
    CONTENT_TYPES,
    TRANSLATION_STATUSES,
    ContentItem,
    Country,
    Signal,
    Translation,
    stored_id,
    utc_now,
)
from rollout.platform.paging import contains

WEBSITE_TYPES = ("website", "website_page")
TRANSLATED = ("in_review", "published")
SOURCE = "source"  # the piece is written in the locale's language: nothing to translate
DONE = ("published", SOURCE)
TOP_REQUESTED = 5  # the launch gate looks at the five pieces prospects and partners ask for most

# Up to this many pieces, statuses are read for those pieces only (an IN list), else for the whole market.
SMALL_SELECTION = 100


def target_locales(country: Country) -> list[str]:
    return [f"{language}_{country.code}" for language in country.languages]


def require_url(link: str, field: str = "link") -> str:
    link = (link or "").strip()
    if not link:
        return ""
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in link:
        raise RolloutError(f"{field}: '{link}' is not a web address (it should start with https://)")
    return link


# --- catalogue -----------------------------------------------------------------------------------


class _Node(Protocol):
    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def parent_id(self) -> int | None: ...


Piece = TypeVar("Piece", bound=_Node)


def _check_parent(session: Session, item_id: int | None, parent_id: int | None) -> None:
    """Refuse a parent that does not exist or that would make the item derive from itself."""
    seen = {item_id} if item_id is not None else set()
    current = parent_id
    while current is not None:
        if current in seen:
            raise RolloutError(f"derived from: #{parent_id} would make a cycle (a piece derived from itself)")
        seen.add(current)
        parent = session.get(ContentItem, current)
        if parent is None:
            raise RolloutError(f"derived from: content #{current} does not exist")
        current = parent.parent_id


def save_content(
    session: Session,
    *,
    by: str,
    item_id: int | None = None,
    expected_version: int | None = None,
    **values: Any,
) -> ContentItem:
    """Create (no `item_id`) or update a catalogue entry.

    The catalogue is shared, so a piece belongs to the markets it is translated for: renaming it or
    changing its link changes what each of them translates. Any marketer may add a piece and change one
    no market has started; a piece with translations is changed only by a marketer (or admin) whose
    countries cover every market it is translated for.
    """
    by = authorize(session, by, Action.MANAGE_MARKETING)
    item = (
        locked(session, ContentItem, item_id)
        if item_id is not None
        else ContentItem(title="", content_type="website", version=0, updated_at=utc_now(), updated_by=by)
    )
    if item is None:
        raise NotFound(f"content #{item_id} does not exist")
    if item_id is not None:
        _require_covers_its_markets(session, by, item)
    require_version(item, expected_version, f"'{item.title}'")
    values = {
        **item.model_dump(
            include={"title", "content_type", "source_language", "owner", "link", "word_count", "parent_id"}
        ),
        **values,
    }
    if not str(values["title"]).strip():
        raise RolloutError("title: required")
    if values["content_type"] not in CONTENT_TYPES:
        raise RolloutError(f"type: '{values['content_type']}' is not one of {', '.join(CONTENT_TYPES)}")
    try:
        values["word_count"] = int(values["word_count"] or 0)
    except (TypeError, ValueError):
        raise RolloutError(f"word count: '{values['word_count']}' is not a whole number") from None
    if values["word_count"] < 0:
        raise RolloutError("word count: must be zero or more")
    values["link"] = require_url(values["link"])
    _check_parent(session, item_id, values["parent_id"])
    for key, value in values.items():
        setattr(item, key, value.strip() if isinstance(value, str) else value)
    touch(item, by)
    session.add(item)
    session.flush()
    return item


def derived_from(session: Session, content_id: int) -> list[ContentItem]:
    """The pieces derived from this one (its children in the recycling tree)."""
    query = select(ContentItem).where(ContentItem.parent_id == content_id).order_by(ContentItem.title)
    return list(session.exec(query))


def remove_content(
    session: Session, *, item_id: int, by: str, expected_version: int | None = None
) -> ContentItem:
    """Remove a piece added by mistake, with its translations; the trail keeps every value of each.

    Who may: whoever may change it (a marketer of every market it is translated for, or an admin). A
    piece others were derived from is kept until they are removed or derived from another one."""
    by = authorize(session, by, Action.MANAGE_MARKETING)
    item = locked(session, ContentItem, item_id)
    if item is None:
        raise NotFound(f"content #{item_id} does not exist (it may have been removed)")
    _require_covers_its_markets(session, by, item)
    require_version(item, expected_version, f"'{item.title}'")
    children = derived_from(session, item_id)
    if children:
        names = ", ".join(f"'{child.title}'" for child in children[:3]) + (", …" if len(children) > 3 else "")
        raise RolloutError(
            f"'{item.title}': {names} {'is' if len(children) == 1 else 'are'} derived from it. Remove them "
            "or derive them from another piece first. Nothing was changed."
        )
    for translation in session.exec(select(Translation).where(Translation.content_id == item_id)):
        session.delete(translation)
    session.flush()  # the translations go first: they refer to the piece
    session.delete(item)
    session.flush()
    return item


def translated_for(session: Session, content_id: int) -> list[str]:
    """The markets with a translation of this piece (any status), by code."""
    query = select(Translation.country_code).where(Translation.content_id == content_id).distinct()
    return sorted(session.exec(query))


def _require_covers_its_markets(session: Session, by: str, item: ContentItem) -> None:
    user = principal(session, by)
    assert user is not None  # authorize has just found them
    outside = [code for code in translated_for(session, stored_id(item)) if not user.covers(code)]
    if outside:
        raise PermissionDenied(
            f"'{item.title}' is translated for {', '.join(outside)}, which {by} does not work on: only a "
            "marketer of every market it is translated for, or an admin, may change it. Nothing was changed."
        )


def catalogue(session: Session) -> list[ContentItem]:
    return list(session.exec(select(ContentItem).order_by(ContentItem.title)))


def catalogue_titles(session: Session) -> list[str]:
    """The catalogue's titles in catalogue order, without loading the items."""
    return list(session.exec(select(ContentItem.title).order_by(ContentItem.title)))


def derivation_tree(items: Sequence[Piece]) -> list[tuple[int, Piece]]:
    """Items in tree order with their depth: each piece followed by what was derived from it. Items are
    catalogue pieces, or rows with their id, title and parent_id."""
    children: dict[int | None, list[Piece]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i.title.casefold()):
        children[item.parent_id].append(item)
    ordered: list[tuple[int, Piece]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children[parent]:
            ordered.append((depth, child))
            walk(child.id, depth + 1)

    walk(None, 0)
    return ordered


TREE_COLUMNS = ("id", "title", "content_type", "word_count", "source_language", "owner", "link")


def catalogue_tree(session: Session) -> pd.DataFrame:
    """The catalogue in derivation-tree order, a row a piece with its depth in the tree (read as plain rows:
    the catalogue can be thousands of pieces)."""
    columns = [getattr(ContentItem, column) for column in (*TREE_COLUMNS, "parent_id")]
    rows = session.exec(select(*columns)).all()
    return pd.DataFrame(
        [(depth, *row[: len(TREE_COLUMNS)]) for depth, row in derivation_tree(rows)],
        columns=["depth", *TREE_COLUMNS],
    )


def search_tree(tree: pd.DataFrame, search: str) -> pd.DataFrame:
    """The rows of `tree` (catalogue_tree) whose title contains `search`, each under the pieces it was
    derived from, in tree order; the whole tree for a blank search."""
    if not search.strip():
        return tree
    kept: set[int] = set()
    path: list[int] = []  # the positions of the current row and of the rows it derives from, by depth
    for position, (depth, title) in enumerate(zip(tree["depth"], tree["title"], strict=True)):
        del path[depth:]
        path.append(position)
        if contains(title, search):
            kept.update(path)
    return tree.iloc[sorted(kept)]


# --- translations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationChange:
    """The fields to change; None keeps what is stored (a translation not started yet is at "todo")."""

    status: str | None = None
    assignee: str | None = None
    due_on: date | None = None
    published_link: str | None = None


def save_translation(
    session: Session,
    *,
    code: str,
    content_id: int,
    locale: str,
    change: TranslationChange,
    by: str,
    expected_version: int | None = None,
) -> Translation:
    """Create or update a translation; one not started yet is at version 0."""
    country = get_country(session, code)
    by = authorize(session, by, Action.MANAGE_MARKETING, country.code)
    if session.get(ContentItem, content_id) is None:
        raise NotFound(f"content #{content_id} does not exist")
    targets = target_locales(country)
    if locale not in targets:
        raise RolloutError(
            f"locale: {country.code} does not target '{locale}' (its targets: "
            f"{', '.join(targets) or 'none'}; change its languages on the Country page)"
        )
    if change.status is not None and change.status not in TRANSLATION_STATUSES:
        raise RolloutError(f"status: '{change.status}' is not one of {', '.join(TRANSLATION_STATUSES)}")
    if change.assignee:
        require_email(change.assignee, "assignee")
    translation = session.exec(
        select(Translation)
        .where(
            Translation.content_id == content_id,
            Translation.country_code == country.code,
            Translation.locale == locale,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first() or Translation(
        content_id=content_id,
        country_code=country.code,
        locale=locale,
        version=0,
        updated_at=utc_now(),
        updated_by=by,
    )
    require_version(translation, expected_version, f"the {locale} translation")
    status = change.status or translation.status
    link = translation.published_link if change.published_link is None else change.published_link
    link = require_url(link, "published link")
    if status == "published" and not link:
        raise RolloutError("published link: required once a translation is published")
    translation.status, translation.published_link = status, link
    if change.assignee is not None:
        translation.assignee = change.assignee.strip().lower()
    if change.due_on is not None:
        translation.due_on = change.due_on
    touch(translation, by)
    session.add(translation)
    session.flush()
    return translation


def stored_translation(session: Session, code: str, content_id: int, locale: str) -> Translation:
    """The translation of a piece into a locale as stored; one not started yet as it would start."""
    found = session.exec(
        select(Translation).where(
            Translation.content_id == content_id,
            Translation.country_code == code,
            Translation.locale == locale,
        )
    ).first()
    return found or Translation(
        content_id=content_id,
        country_code=code,
        locale=locale,
        version=0,
        updated_at=utc_now(),
        updated_by="",
    )


def translations(session: Session, code: str) -> list[Translation]:
    return list(session.exec(select(Translation).where(Translation.country_code == code)))


def statuses(session: Session, country: Country, items: list[ContentItem]) -> dict[tuple[int, str], str]:
    """(content id, target locale) -> status; 'source' where the piece is written in that language
    (English content in en_GB or en_IN needs no translation), 'todo' where nothing was started."""
    return statuses_in_markets(session, [country], items)[country.code]


def statuses_in_markets(
    session: Session, countries: Sequence[Country], items: Sequence[ContentItem]
) -> dict[str, dict[tuple[int, str], str]]:
    """`statuses` of several markets, from one query."""
    items = list({item.id: item for item in items}.values())  # a piece can be in several markets' lists
    # Only the statuses, as plain rows: a market can have tens of thousands of translations.
    query = select(
        Translation.country_code, Translation.content_id, Translation.locale, Translation.status
    ).where(col(Translation.country_code).in_([country.code for country in countries]))
    if len(items) <= SMALL_SELECTION:
        query = query.where(col(Translation.content_id).in_({item.id for item in items}))
    found = {(code, content_id, locale): status for code, content_id, locale, status in session.exec(query)}
    return {
        country.code: {
            (stored_id(item), locale): SOURCE
            if locale.split("_")[0] == item.source_language.split("_")[0]
            else found.get((country.code, stored_id(item), locale), "todo")
            for item in items
            for locale in target_locales(country)
        }
        for country in countries
    }


@dataclass(frozen=True)
class CatalogueStatus:
    """The catalogue and each piece's status per target locale of one market, read once for several views."""

    items: list[ContentItem]
    status: dict[tuple[int, str], str]


def catalogue_status(session: Session, country: Country) -> CatalogueStatus:
    items = catalogue(session)
    return CatalogueStatus(items, statuses(session, country, items))


def matrix(session: Session, country: Country, known: CatalogueStatus | None = None) -> pd.DataFrame:
    """Content × target locale: each cell the translation's status."""
    known = known or catalogue_status(session, country)
    locales, items, status = target_locales(country), known.items, known.status
    rows = [
        {
            "id": item.id,
            "content": item.title,
            "type": item.content_type,
            **{locale: status[(stored_id(item), locale)] for locale in locales},
        }
        for item in items
    ]
    return pd.DataFrame(rows, columns=["id", "content", "type", *locales])


def progress(session: Session, country: Country, known: CatalogueStatus | None = None) -> pd.DataFrame:
    """Per target locale, as translation platforms show it: the share of the catalogue's words translated
    (in review or published, or written in that language) and published."""
    known = known or catalogue_status(session, country)
    items, status = known.items, known.status
    words = {item.id: max(item.word_count, 1) for item in items}
    total = sum(words.values()) or 1
    rows = []
    for locale in target_locales(country):
        translated = sum(
            words[stored_id(i)] for i in items if status[(stored_id(i), locale)] in (*TRANSLATED, SOURCE)
        )
        published = sum(words[stored_id(i)] for i in items if status[(stored_id(i), locale)] in DONE)
        rows.append({"locale": locale, "translated": translated / total, "published": published / total})
    return pd.DataFrame(rows, columns=["locale", "translated", "published"])


# --- demand and backlog --------------------------------------------------------------------------


def request_counts(session: Session, code: str, until: date | None = None) -> Counter[str]:
    """How often prospects and partners asked for each title in the sales log, by case-folded title.

    Folded in Python, not with SQL lower(): SQLite's lower() leaves É alone and no lower() maps ß to ss."""
    query = select(Signal.content_title, func.count()).where(
        Signal.country_code == code, Signal.kind == "content_request", Signal.content_title != ""
    )
    if until is not None:
        query = query.where(Signal.occurred_on <= until)
    counts: Counter[str] = Counter()
    for title, asked in session.exec(query.group_by(Signal.content_title)).all():
        counts[title.casefold()] += asked
    return counts


def titles_by_id(session: Session) -> list[tuple[int, str]]:
    """(id, title) of every piece: enough to rank by demand (the catalogue can be thousands of pieces)."""
    rows = session.exec(select(ContentItem.id, ContentItem.title)).all()
    return cast("list[tuple[int, str]]", list(rows))  # stored ids: SQLModel types the column `int | None`


def most_requested(
    session: Session,
    code: str,
    until: date | None = None,
    top: int = TOP_REQUESTED,
    titles: Sequence[tuple[int, str]] | None = None,
) -> list[ContentItem]:
    """The catalogue pieces asked for most, best first (pieces nobody asked for are left out); `titles`
    are `titles_by_id()` when already read."""
    counts = request_counts(session, code, until)
    if not counts:
        return []
    # Titles only to rank, then the few winners in full.
    titles = titles_by_id(session) if titles is None else titles
    asked = [(item_id, title) for item_id, title in titles if counts[title.casefold()]]
    best = sorted(asked, key=lambda pair: (-counts[pair[1].casefold()], pair[1]))[:top]
    items = {
        item.id: item for item in session.exec(select(ContentItem).where(col(ContentItem.id).in_(dict(best))))
    }
    return [items[item_id] for item_id, _ in best]


def backlog(session: Session, country: Country, known: CatalogueStatus | None = None) -> pd.DataFrame:
    """What to translate next: the website first, then the most requested pieces, then the rest."""
    counts = request_counts(session, country.code)
    known = known or catalogue_status(session, country)
    locales, items, status = target_locales(country), known.items, known.status
    rows = []
    for item in items:
        missing = [locale for locale in locales if status[(stored_id(item), locale)] not in DONE]
        if not missing:
            continue
        requests = counts[item.title.casefold()]
        tier = 0 if item.content_type in WEBSITE_TYPES else (1 if requests else 2)
        rows.append(
            {
                "tier": tier,
                "content": item.title,
                "type": item.content_type,
                "requests": requests,
                "words": item.word_count,
                "not published in": ", ".join(missing),
                "id": item.id,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["tier", "content", "type", "requests", "words", "not published in", "id"]
    )
    frame = frame.sort_values(["tier", "requests", "content"], ascending=[True, False, True]).reset_index(
        drop=True
    )
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame["why"] = frame["tier"].map(
        {0: "website first", 1: "requested by prospects and partners", 2: "the rest"}
    )
    return frame.drop(columns=["tier"])


# --- gate metrics --------------------------------------------------------------------------------


def _published_everywhere(item: ContentItem, locales: list[str], status: dict[tuple[int, str], str]) -> bool:
    return bool(locales) and all(status[(stored_id(item), locale)] in DONE for locale in locales)


@register_batched(
    "site_locales_published_share", description="Share of target locales with every website page published"
)
def site_locales_published_share(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    countries = [get_country(session, window.country_code) for window in windows]
    site = list(session.exec(select(ContentItem).where(col(ContentItem.content_type).in_(WEBSITE_TYPES))))
    known = statuses_in_markets(session, countries, site)
    shares = {}
    for country in countries:
        locales, status = target_locales(country), known[country.code]
        live = [
            locale for locale in locales if site and all(status[(stored_id(i), locale)] in DONE for i in site)
        ]
        shares[country.code] = len(live) / len(locales) if locales else 0.0
    return shares


@register_batched(
    "top_requested_content_published",
    description=f"How many of the {TOP_REQUESTED} most requested pieces are published in every target locale",
)
def top_requested_content_published(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    titles = titles_by_id(session)  # once for every market
    countries = [get_country(session, window.country_code) for window in windows]
    top = {
        w.country_code: most_requested(session, w.country_code, until=w.end, titles=titles) for w in windows
    }
    known = statuses_in_markets(session, countries, [item for items in top.values() for item in items])
    return {
        c.code: sum(_published_everywhere(item, target_locales(c), known[c.code]) for item in top[c.code])
        for c in countries
    }
