"""Correcting what was added by mistake, on the pages: each edit form starts from the stored record and
changes only the field touched; each removal asks first, naming the record, and happens on confirmation."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from rollout.marketing.campaigns import add_local_event
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import ContentItem, Hire, LocalEvent, Signal
from rollout.ui.format import plain
from tests.app.conftest import assert_clean, shown
from tests.app.test_content_pages import click, open_page

ADMIN = "ceo@rollout.example"
FAIR = date(2027, 3, 10)


def stored(url: str, model, key):
    with read_session(get_engine(url)) as session:
        record = session.get(model, key)
        session.expunge_all()
        return record


def first(url: str, query):
    with read_session(get_engine(url)) as session:
        record = session.exec(query).first()
        session.expunge_all()
        return record


def fields(record, names: tuple[str, ...]) -> dict:
    return {name: getattr(record, name) for name in names}


def warnings(at) -> list[str]:
    return [shown(w.value) for w in at.warning]


def confirm(at):
    at.button(key="confirm_yes").click().run()
    assert_clean(at)
    return at


# --- candidates ------------------------------------------------------------------------------------


def test_correcting_a_candidates_role_keeps_everything_else(demo_app, url):
    before = first(url, select(Hire).where(Hire.country_code == "IN"))
    at = open_page(demo_app, "app_pages/talent.py", "IN")
    at.selectbox(key="fix_hire_IN").set_value(before.id).run()
    assert at.text_input(key="fix_hire_role_IN").value == before.role
    assert at.multiselect(key="fix_hire_native_languages_IN").value == before.native_languages
    at.text_input(key="fix_hire_role_IN").input("Content marketer")
    click(at, "Save candidate")
    assert_clean(at)
    after = stored(url, Hire, before.id)
    assert after.role == "Content marketer"
    kept = ("candidate", "email", "native_languages", "native_country", "based", "stage")
    assert fields(after, kept) == fields(before, kept)


def test_removing_a_candidate_asks_first_naming_them(demo_app, url):
    hire = first(url, select(Hire).where(Hire.country_code == "IN"))
    at = open_page(demo_app, "app_pages/talent.py", "IN")
    at.selectbox(key="fix_hire_IN").set_value(hire.id).run()
    click(at, f"Remove {hire.candidate}…")
    assert_clean(at)
    assert any(hire.candidate in w and "stage history stay" in w for w in warnings(at))
    assert stored(url, Hire, hire.id).removed_at is None  # not until confirmed
    confirm(at)
    assert stored(url, Hire, hire.id).removed_at is not None
    assert f"Removed {hire.candidate}." in [shown(s.value) for s in at.success]
    assert not any(hire.candidate in option for box in at.selectbox for option in box.options)


# --- local events ----------------------------------------------------------------------------------

CALENDAR = "app_pages/local_calendar.py"


def fair(url: str) -> int:
    with write_session(get_engine(url)) as session:
        return add_local_event(
            session,
            code="DE",
            name="Hannover Messe",
            kind="opportunity",
            start=FAIR,
            end=FAIR,
            note="fair",
            by=ADMIN,
        ).id


def test_correcting_a_local_events_last_day_keeps_everything_else(demo_app, url):
    event_id = fair(url)
    before = stored(url, LocalEvent, event_id)
    at = open_page(demo_app, CALENDAR, "DE")
    assert at.text_input(key="fix_event_name_DE").value == "Hannover Messe"
    at.date_input(key="fix_event_end_date_DE").set_value(date(2027, 3, 14))
    click(at, "Save event")
    assert_clean(at)
    after = stored(url, LocalEvent, event_id)
    assert after.end_date == date(2027, 3, 14)
    kept = ("name", "kind", "start_date", "note", "created_by")
    assert fields(after, kept) == fields(before, kept)


def test_removing_a_local_event_asks_first_naming_it(demo_app, url):
    event_id = fair(url)
    at = open_page(demo_app, CALENDAR, "DE")
    click(at, "Remove Hannover Messe…")
    assert any("Hannover Messe leaves Germany" in w for w in warnings(at))
    assert stored(url, LocalEvent, event_id) is not None
    confirm(at)
    assert stored(url, LocalEvent, event_id) is None


# --- catalogue pieces ------------------------------------------------------------------------------

CONTENT = "app_pages/content.py"


def leaf_piece(url: str) -> ContentItem:
    """A piece nothing was derived from."""
    with read_session(get_engine(url)) as session:
        pieces = session.exec(select(ContentItem).order_by(ContentItem.id)).all()
        parents = {p.parent_id for p in pieces}
        session.expunge_all()
    return next(p for p in pieces if p.id not in parents and p.parent_id is not None)


def test_correcting_a_pieces_word_count_keeps_everything_else(demo_app, url):
    before = leaf_piece(url)
    at = open_page(demo_app, CONTENT, "DE")
    at.selectbox(key="fix_piece").set_value(before.id).run()
    assert at.text_input(key="fix_piece_title").value == before.title
    assert at.selectbox(key="fix_piece_parent_id").value == before.parent_id
    at.number_input(key="fix_piece_word_count").set_value(before.word_count + 150)
    click(at, "Save piece")
    assert_clean(at)
    after = stored(url, ContentItem, before.id)
    assert after.word_count == before.word_count + 150
    kept = ("title", "content_type", "source_language", "link", "parent_id", "owner")
    assert fields(after, kept) == fields(before, kept)


def test_removing_a_piece_asks_first_naming_it(demo_app, url):
    piece = leaf_piece(url)
    at = open_page(demo_app, CONTENT, "DE")
    at.selectbox(key="fix_piece").set_value(piece.id).run()
    click(at, plain(f"Remove '{piece.title}'…"))  # labels are shown as plain text
    assert any(f"'{piece.title}' leaves the catalogue" in w for w in warnings(at))
    confirm(at)
    assert stored(url, ContentItem, piece.id) is None


# --- signals ---------------------------------------------------------------------------------------

SALES_LOG = "app_pages/sales_log.py"


def newest_signal(url: str, code: str) -> Signal:
    query = (
        select(Signal)
        .where(Signal.country_code == code)
        .order_by(Signal.occurred_on.desc(), Signal.id.desc())
    )
    return first(url, query)


def test_correcting_a_signals_account_keeps_everything_else(demo_app, url):
    before = newest_signal(url, "ES")
    at = open_page(demo_app, SALES_LOG, "ES")
    assert at.selectbox(key="fix_signal_ES").value == before.id
    assert at.text_area(key="fix_signal_note_ES").value == before.note
    at.text_input(key="fix_signal_account_ES").input("Banco Sul")
    click(at, "Save signal")
    assert_clean(at)
    after = stored(url, Signal, before.id)
    assert after.account == "Banco Sul"
    kept = ("kind", "occurred_on", "qualified", "content_title", "requested_by", "note", "logged_by")
    assert fields(after, kept) == fields(before, kept)


def test_removing_a_signal_asks_first_naming_it(demo_app, url):
    signal = newest_signal(url, "ES")
    at = open_page(demo_app, SALES_LOG, "ES")
    click(at, "Remove this signal…")
    assert any("is no longer counted" in w and (signal.account or "") in w for w in warnings(at))
    assert stored(url, Signal, signal.id) is not None
    confirm(at)
    assert stored(url, Signal, signal.id) is None


def test_the_history_tells_the_removal_as_an_event_with_its_values_a_click_away(demo_app, url):
    event_id = fair(url)
    at = open_page(demo_app, CALENDAR, "DE")
    click(at, "Remove Hannover Messe…")
    confirm(at)
    at.switch_page("app_pages/history.py").run()
    assert_clean(at)
    told = at.dataframe[0].value["what happened"].tolist()
    assert told[0] == f"{ADMIN} removed the local event Hannover Messe"  # no name given: the email
    at.toggle(key="history_table_view_fields").set_value(True).run()
    detail = at.dataframe[1].value
    removed = detail[detail["record"] == f"localevent {event_id}"]
    assert set(removed["old"]) >= {"Hannover Messe", "fair"} and set(removed["action"]) == {
        "delete",
        "create",
    }
