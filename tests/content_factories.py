"""Small builders for the content and talent tests, written through the domain functions.

Every builder takes its dates explicitly, so nothing depends on the clock. `into_phase` walks a country
through the shipped playbook with Go decisions (each with a rationale, as a Go on an unmet gate needs).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from rollout.gates.playbook import Playbook
from rollout.marketing.content import TranslationChange, save_content, save_translation
from rollout.marketing.talent import add_hire, move_hire
from rollout.platform.db import read_session, write_session
from rollout.platform.models import ContentItem, Hire, HireStageChange, Translation
from tests.conftest import ACTOR
from tests.factories import add, decide

START = date(2026, 1, 5)
# Go dates on the shipped playbook: sales_test → first_signings → marketing_launch → local_talent.
GO_DATES = {
    "first_signings": date(2026, 3, 2),
    "marketing_launch": date(2026, 5, 4),
    "local_talent": date(2026, 7, 6),
}
PAGE_LINK = "https://example.com/{}"


def into_phase(engine: Engine, playbook: Playbook, code: str, phase: str, start: date = START) -> date:
    """Add the country and decide Go until it is in `phase`; returns the day that phase started."""
    add(engine, code, start)
    for target, on in GO_DATES.items():
        decide(engine, playbook, code, "go", on, rationale=f"test: on to {target}")
        if target == phase:
            return on
    raise ValueError(phase)


def item(engine: Engine, title: str, content_type: str = "article", words: int = 0, **values: Any) -> int:
    """A catalogue piece, written in French by default so every Indian target locale needs a translation."""
    values.setdefault("source_language", "fr")
    with write_session(engine) as session:
        return save_content(
            session, by=ACTOR, title=title, content_type=content_type, word_count=words, **values
        ).id


def edit(engine: Engine, item_id: int, **values: Any) -> ContentItem:
    with write_session(engine) as session:
        saved = save_content(session, by=ACTOR, item_id=item_id, **values)
        session.expunge(saved)
    return saved


def get_item(engine: Engine, item_id: int) -> ContentItem:
    with read_session(engine) as session:
        found = session.get(ContentItem, item_id)
        session.expunge(found)
    return found


def translate(
    engine: Engine,
    code: str,
    content_id: int,
    locale: str,
    status: str = "published",
    link: str | None = None,
    **kwargs: Any,
) -> Translation:
    """Save a translation; a published one gets a link unless `link` says otherwise."""
    if link is None:
        link = PAGE_LINK.format(f"{locale}/{content_id}") if status == "published" else ""
    change = TranslationChange(status=status, published_link=link, **kwargs)
    with write_session(engine) as session:
        saved = save_translation(
            session, code=code, content_id=content_id, locale=locale, change=change, by=ACTOR
        )
        session.expunge(saved)
    return saved


def all_translations(engine: Engine) -> list[tuple[int, str, str, str]]:
    """(content id, country, locale, status) of every translation, in id order."""
    with read_session(engine) as session:
        rows = session.exec(select(Translation).order_by(Translation.id)).all()
        return [(t.content_id, t.country_code, t.locale, t.status) for t in rows]


def hire(engine: Engine, code: str, on: date, **kwargs: Any) -> int:
    kwargs.setdefault("role", "Local marketing intern")
    with write_session(engine) as session:
        # One person is one candidate per market: the second default candidate is another person.
        others = len(session.exec(select(Hire).where(Hire.country_code == code)).all())
        kwargs.setdefault("candidate", f"Priya Sharma {others + 1}" if others else "Priya Sharma")
        return add_hire(session, code=code, by=ACTOR, on=on, **kwargs).id


def move(engine: Engine, hire_id: int, stage: str, on: date, **kwargs: Any) -> Hire:
    with write_session(engine) as session:
        moved = move_hire(session, hire_id=hire_id, stage=stage, by=ACTOR, on=on, **kwargs)
        session.expunge(moved)
    return moved


def get_hire(engine: Engine, hire_id: int) -> Hire:
    with read_session(engine) as session:
        found = session.get(Hire, hire_id)
        session.expunge(found)
    return found


def stages(engine: Engine, hire_id: int) -> list[tuple[str, date, str]]:
    """(stage, entered_on, reason) of a hire's history, in the order recorded."""
    with read_session(engine) as session:
        query = select(HireStageChange).where(HireStageChange.hire_id == hire_id).order_by(HireStageChange.id)
        return [(c.stage, c.entered_on, c.reason) for c in session.exec(query)]
