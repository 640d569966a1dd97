"""Text longer than its column is refused in the domain with the same message on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rollout.platform.db import read_session, write_session
from rollout.platform.lengths import TextTooLong
from rollout.platform.models import Signal
from rollout.sales.pipeline import log_signal
from tests.conftest import ACTOR, TODAY
from tests.factories import add


def test_a_value_longer_than_its_column_is_refused_on_both_databases(engine):
    add(engine, "ES", TODAY)
    too_long = pytest.raises(TextTooLong, match="^signal account: 201 characters long; at most 200 fit$")
    with too_long, write_session(engine) as session:
        log_signal(
            session,
            code="ES",
            kind="meeting",
            occurred_on=TODAY,
            by=ACTOR,
            account="a" * 201,
            today=TODAY,
        )
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Signal)) == 0


def test_an_edit_that_makes_a_value_too_long_is_refused_and_changes_nothing(engine):
    add(engine, "ES", TODAY)
    with write_session(engine) as session:
        signal = log_signal(
            session, code="ES", kind="meeting", occurred_on=TODAY, by=ACTOR, account="Acme", today=TODAY
        )
        signal_id = signal.id
    too_long = pytest.raises(TextTooLong, match="^signal account: 300 characters long; at most 200 fit$")
    with too_long, write_session(engine) as session:
        session.get(Signal, signal_id).account = "b" * 300
    with read_session(engine) as session:
        assert session.get(Signal, signal_id).account == "Acme"


def test_values_that_fit_are_written(engine):
    add(engine, "ES", TODAY)
    with write_session(engine) as session:
        log_signal(
            session, code="ES", kind="meeting", occurred_on=TODAY, by=ACTOR, account="a" * 200, today=TODAY
        )
    with read_session(engine) as session:
        assert session.scalar(select(Signal.account)) == "a" * 200
