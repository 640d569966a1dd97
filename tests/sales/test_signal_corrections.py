"""Correcting a logged signal: edited field by field, or removed with its values kept in the trail.

On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from rollout.platform.access import PermissionDenied
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.models import AuditEntry, Signal
from rollout.platform.users import add_user
from rollout.sales.pipeline import remove_signal, update_signal
from tests.conftest import ACTOR, TODAY
from tests.factories import add, count
from tests.sales_factories import signal

SALES_BR = "lucia@rollout.example"
SALES_MX = "diego@rollout.example"
MARKETER_BR = "bia@rollout.example"
MET = date(2026, 11, 20)


@pytest.fixture
def brazil(engine):
    add(engine, "BR", date(2026, 1, 5))
    with write_session(engine, source="cli") as session:
        add_user(session, email=SALES_BR, role="sales", countries=["BR"], by=ACTOR)
        add_user(session, email=SALES_MX, role="sales", countries=["MX"], by=ACTOR)
        add_user(session, email=MARKETER_BR, role="marketer", countries=["BR"], by=ACTOR)
    return signal(engine, "BR", MET, account="Banco Norte", note="first call", qualified=True)


def stored(engine, signal_id: int) -> Signal:
    with read_session(engine) as session:
        return session.get(Signal, signal_id)


def test_editing_a_signal_changes_only_the_field_given(engine, brazil):
    before = stored(engine, brazil)
    with write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, expected_version=1, account="Banco Sul")
    after = stored(engine, brazil)
    assert after.account == "Banco Sul" and (after.version, after.updated_by) == (2, SALES_BR)
    kept = ("kind", "occurred_on", "qualified", "note", "logged_by", "logged_at")
    assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]


def test_a_signal_turned_into_another_kind_reads_consistently(engine, brazil):
    with write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, kind="demo", today=TODAY)
    assert stored(engine, brazil).qualified is False  # only meetings are qualified
    with pytest.raises(RolloutError, match="content:"), write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, kind="content_request", today=TODAY)
    with pytest.raises(RolloutError, match="in the future"), write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, occurred_on=date(2099, 1, 1), today=TODAY)
    assert stored(engine, brazil).kind == "demo"


def test_a_signal_edit_over_a_later_one_is_refused(engine, brazil):
    with write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, note="second")
    with pytest.raises(Conflict), write_session(engine) as session:
        update_signal(session, signal_id=brazil, by=SALES_BR, expected_version=1, note="third")
    assert stored(engine, brazil).note == "second"


def test_removing_a_signal_keeps_its_values_in_the_trail(engine, brazil):
    with write_session(engine) as session:
        remove_signal(session, signal_id=brazil, by=SALES_BR, expected_version=1)
    assert count(engine, Signal) == 0
    with read_session(engine) as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == "signal", AuditEntry.action == "delete")
        ).one()
    assert (entry.actor, entry.country_code, entry.record_key) == (SALES_BR, "BR", str(brazil))
    assert entry.changes["account"] == ["Banco Norte", None]
    assert entry.changes["occurred_on"] == [MET.isoformat(), None]


def test_only_sales_of_the_signals_market_may_change_it(engine, brazil):
    for outsider in (SALES_MX, MARKETER_BR):
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            remove_signal(session, signal_id=brazil, by=outsider)
        with pytest.raises(PermissionDenied), write_session(engine) as session:
            update_signal(session, signal_id=brazil, by=outsider, note="mine")
    assert count(engine, Signal) == 1 and stored(engine, brazil).note == "first call"
