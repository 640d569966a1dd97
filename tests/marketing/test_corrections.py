"""Correcting what was added by mistake: candidates, local events and catalogue pieces are edited and
removed by the people who may change them, each removal in the trail with every value it had.

On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from rollout.gates.metrics import MetricWindow
from rollout.marketing.campaigns import add_local_event
from rollout.marketing.content import remove_content
from rollout.marketing.local_events import remove_local_event, update_local_event
from rollout.marketing.talent import hires, native_hires_started, remove_hire, update_hire
from rollout.platform.access import PermissionDenied
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import Conflict, NotFound, RolloutError
from rollout.platform.models import AuditEntry, ContentItem, HireStageChange, LocalEvent, Translation
from rollout.platform.users import add_user
from tests.conftest import ACTOR
from tests.content_factories import START, get_hire, hire, item, move, translate
from tests.factories import add, count

MARKETER_IN = "meera@rollout.example"
MARKETER_ES = "lola@rollout.example"
SALES_IN = "ravi@rollout.example"
FAIR = date(2027, 3, 10)


@pytest.fixture
def markets(engine):
    add(engine, "IN", START)
    add(engine, "ES", START)
    with write_session(engine, source="cli") as session:
        add_user(session, email=MARKETER_IN, role="marketer", countries=["IN"], by=ACTOR)
        add_user(session, email=MARKETER_ES, role="marketer", countries=["ES"], by=ACTOR)
        add_user(session, email=SALES_IN, role="sales", countries=["IN"], by=ACTOR)


def removal_entry(engine, table: str, key: int) -> AuditEntry:
    with read_session(engine) as session:
        return session.exec(
            select(AuditEntry).where(AuditEntry.table_name == table, AuditEntry.record_key == str(key))
        ).all()[-1]


def event(engine, code: str = "IN", name: str = "Trade fair", by: str = ACTOR) -> int:
    with write_session(engine) as session:
        return add_local_event(
            session, code=code, name=name, kind="opportunity", start=FAIR, end=FAIR, note="x", by=by
        ).id


# --- candidates ------------------------------------------------------------------------------------


def test_editing_a_candidate_changes_only_the_field_given(engine, markets):
    hire_id = hire(engine, "IN", START, native_languages=["hi"], native_country="IN", based="in_country")
    before = get_hire(engine, hire_id)
    with write_session(engine) as session:
        update_hire(session, hire_id=hire_id, by=MARKETER_IN, expected_version=before.version, role="Intern")
    after = get_hire(engine, hire_id)
    assert after.role == "Intern" and after.version == before.version + 1
    kept = ("candidate", "email", "native_languages", "native_country", "based", "stage")
    assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]


def test_a_candidate_edit_over_a_later_change_is_refused(engine, markets):
    hire_id = hire(engine, "IN", START)
    opened = get_hire(engine, hire_id).version
    move(engine, hire_id, "interviewing", START)
    with pytest.raises(Conflict), write_session(engine) as session:
        update_hire(session, hire_id=hire_id, by=ACTOR, expected_version=opened, role="Intern")
    assert get_hire(engine, hire_id).role == "Local marketing intern"


def test_a_removed_candidate_is_shown_nowhere_and_keeps_their_history(engine, markets):
    hire_id = hire(engine, "IN", START, native_languages=["hi"], based="in_country")
    move(engine, hire_id, "started", START)
    window = MetricWindow("IN", START, date(2026, 12, 1), date(2027, 1, 1))
    with read_session(engine) as session:
        assert native_hires_started(session, window) == 1
    with write_session(engine) as session:
        remove_hire(session, hire_id=hire_id, by=MARKETER_IN)
    with read_session(engine) as session:
        assert hires(session, "IN") == []
        assert native_hires_started(session, window) == 0
    assert count(engine, HireStageChange) == 2  # the append-only history stays
    entry = removal_entry(engine, "hire", hire_id)
    assert entry.actor == MARKETER_IN and entry.changes["removed_by"] == ["", MARKETER_IN]
    with pytest.raises(NotFound), write_session(engine) as session:
        update_hire(session, hire_id=hire_id, by=ACTOR, role="Intern")
    # Added by mistake, removed, then added again: the same person is welcome as a new candidate.
    hire(engine, "IN", START, candidate=get_hire(engine, hire_id).candidate)


def test_only_a_marketer_of_the_candidates_market_may_edit_or_remove_them(engine, markets):
    hire_id = hire(engine, "IN", START)
    for outsider in (MARKETER_ES, SALES_IN):
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            remove_hire(session, hire_id=hire_id, by=outsider)
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            update_hire(session, hire_id=hire_id, by=outsider, role="Intern")
    assert get_hire(engine, hire_id).removed_at is None


def test_a_candidate_renamed_to_another_candidates_name_is_refused(engine, markets):
    first = hire(engine, "IN", START, candidate="Asha Rao")
    second = hire(engine, "IN", START, candidate="Dev Nair")
    with pytest.raises(RolloutError, match="already a candidate"), write_session(engine) as session:
        update_hire(session, hire_id=second, by=ACTOR, candidate="asha rao")
    assert get_hire(engine, first).candidate == "Asha Rao"


# --- local events ----------------------------------------------------------------------------------


def test_editing_a_local_event_keeps_what_was_not_changed(engine, markets):
    event_id = event(engine)
    with write_session(engine) as session:
        update_local_event(session, event_id=event_id, by=MARKETER_IN, expected_version=1, kind="quiet")
    with read_session(engine) as session:
        stored = session.get(LocalEvent, event_id)
    assert (stored.name, stored.kind, stored.start_date, stored.end_date, stored.note) == (
        "Trade fair",
        "quiet",
        FAIR,
        FAIR,
        "x",
    )
    assert (stored.version, stored.updated_by) == (2, MARKETER_IN)


def test_a_local_event_ending_before_it_starts_is_refused(engine, markets):
    event_id = event(engine)
    with pytest.raises(RolloutError, match="end:"), write_session(engine) as session:
        update_local_event(session, event_id=event_id, by=ACTOR, end_date=date(2027, 3, 1))


def test_removing_a_local_event_keeps_its_values_in_the_trail(engine, markets):
    event_id = event(engine)
    with write_session(engine) as session:
        remove_local_event(session, event_id=event_id, by=MARKETER_IN)
    assert count(engine, LocalEvent) == 0
    entry = removal_entry(engine, "localevent", event_id)
    assert (entry.action, entry.actor, entry.country_code) == ("delete", MARKETER_IN, "IN")
    assert entry.changes["name"] == ["Trade fair", None]
    assert entry.changes["start_date"] == [FAIR.isoformat(), None]


def test_only_a_marketer_of_the_events_market_may_change_it(engine, markets):
    event_id = event(engine)
    for outsider in (MARKETER_ES, SALES_IN):
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            remove_local_event(session, event_id=event_id, by=outsider)
    assert count(engine, LocalEvent) == 1


# --- catalogue pieces ------------------------------------------------------------------------------


def test_removing_a_piece_removes_its_translations_and_the_trail_keeps_both(engine, markets):
    piece = item(engine, "Ebook: retail")
    translate(engine, "IN", piece, "hi_IN")
    with write_session(engine) as session:
        remove_content(session, item_id=piece, by=MARKETER_IN)
    assert count(engine, ContentItem) == 0 and count(engine, Translation) == 0
    entry = removal_entry(engine, "contentitem", piece)
    assert entry.action == "delete" and entry.changes["title"] == ["Ebook: retail", None]
    with read_session(engine) as session:
        deleted = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == "translation", AuditEntry.action == "delete")
        ).one()
    assert deleted.changes["locale"] == ["hi_IN", None]


def test_a_piece_translated_for_another_market_is_removed_only_by_its_marketers(engine, markets):
    piece = item(engine, "Ebook: retail")
    translate(engine, "IN", piece, "hi_IN")
    with pytest.raises(PermissionDenied, match="IN"), write_session(engine) as session:
        remove_content(session, item_id=piece, by=MARKETER_ES)
    with pytest.raises(PermissionDenied), write_session(engine) as session:
        remove_content(session, item_id=piece, by=SALES_IN)
    assert count(engine, ContentItem) == 1 and count(engine, Translation) == 1


def test_a_piece_others_derive_from_is_kept(engine, markets):
    webinar = item(engine, "Webinar: retail")
    item(engine, "Article: retail", parent_id=webinar)
    derived = "'Article: retail' is derived from it"
    with pytest.raises(RolloutError, match=derived), write_session(engine) as session:
        remove_content(session, item_id=webinar, by=ACTOR)
    assert count(engine, ContentItem) == 2
