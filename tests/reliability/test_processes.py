"""N processes × M writes at once on SQLite and PostgreSQL: signals, edits of one deal, decisions.

Each process has its own engine, as each app server and CLI run has. A write refused because someone
else saved first (Conflict) is read again and retried, as a person told to reload would; anything else
is an error. Expected: every write made is found, in the table and in the audit trail, and 0 errors.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from rollout.gates.decisions import record_decision
from rollout.gates.status import gate_status
from rollout.platform.countries import add_country
from rollout.platform.db import make_engine, read_session, write_session
from rollout.platform.errors import Conflict
from rollout.platform.models import AuditEntry, Decision, Opportunity, Signal
from rollout.sales.pipeline import create_opportunity, log_signal, update_opportunity
from tests.conftest import ACTOR, TEAM, TODAY
from tests.reliability.conftest import figure
from tests.reliability.trail import trail_breaks

PROCESSES, WRITES = 4, 10
RETRIES = 200  # per write: far more than PROCESSES writers can make it wait


@pytest.fixture
def spain(engine) -> Engine:
    with write_session(engine) as session:
        add_country(session, code="ES", start_date=TODAY - timedelta(days=30), by=ACTOR)
        create_opportunity(
            session,
            code="ES",
            values={"account": "Acme", "amount": "0", "currency": "EUR"},
            by=ACTOR,
            today=TODAY,
        )
    engine.dispose()  # the processes forked below must not share its connections
    return engine


def _log_signal(engine: Engine, number: int, write: int) -> int:
    with write_session(engine) as session:
        log_signal(
            session,
            code="ES",
            kind="meeting",
            occurred_on=TODAY,
            by=TEAM[number % len(TEAM)],
            note=f"process {number} write {write}",
            today=TODAY,
        )
    return 0


def _add_one_to_the_deal(engine: Engine, number: int, _write: int) -> int:
    """Read the deal, save amount + 1 over the version read; retried when someone saved first."""
    for conflicts in range(RETRIES):
        with read_session(engine) as session:
            deal = session.exec(select(Opportunity)).one()
        try:
            with write_session(engine) as session:
                update_opportunity(
                    session,
                    opportunity_id=deal.id,
                    changes={"amount": deal.amount + 1},
                    by=TEAM[number % len(TEAM)],
                    expected_version=deal.version,
                    today=TODAY,
                )
            return conflicts
        except Conflict:
            continue
    raise AssertionError(f"still refused after {RETRIES} tries")


def _extend_the_gate(engine: Engine, number: int, _write: int) -> int:
    """Decide on the gate as read (its decision count), as the Country page does; retried on Conflict."""
    for conflicts in range(RETRIES):
        with read_session(engine) as session:
            seen = gate_status(session, "ES", today=TODAY).decision_count
        try:
            with write_session(engine) as session:
                record_decision(
                    session,
                    code="ES",
                    outcome="extend",
                    by=TEAM[number % len(TEAM)],
                    rationale=f"process {number}",
                    extension_months=1,
                    expected_count=seen,
                    today=TODAY,
                )
            return conflicts
        except Conflict:
            continue
    raise AssertionError(f"still refused after {RETRIES} tries")


def _process(url: str, work: Callable, number: int, start, results) -> None:
    engine, made, conflicts, errors = make_engine(url), 0, 0, []
    start.wait()
    for write in range(WRITES):
        try:
            conflicts += work(engine, number, write)
            made += 1
        except Exception:  # noqa: BLE001 - every failure is what this test counts
            errors.append(traceback.format_exc())
    engine.dispose()
    results.put((made, conflicts, errors))


def run_processes(engine: Engine, work: Callable) -> tuple[int, int, list[str]]:
    """PROCESSES processes each making WRITES writes with `work`, all released at once:
    (writes made, conflicts retried, errors)."""
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    url = engine.url.render_as_string(hide_password=False)
    processes = [
        context.Process(target=_process, args=(url, work, number, start, results))
        for number in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    made = sum(outcome[0] for outcome in outcomes)
    conflicts = sum(outcome[1] for outcome in outcomes)
    return made, conflicts, [error for outcome in outcomes for error in outcome[2]]


def count(engine: Engine, model: type, *where) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def report(engine: Engine, what: str, made: int, found: int, conflicts: int, errors: list[str]) -> None:
    figure(
        f"{engine.dialect.name}: {what}: {PROCESSES} processes x {WRITES} writes, {made} made, "
        f"{found} found, {made - found} lost, {conflicts} conflicts retried, {len(errors)} errors"
    )


def test_signals_from_many_processes_are_all_kept(spain):
    made, conflicts, errors = run_processes(spain, _log_signal)
    found = count(spain, Signal)
    audited = count(spain, AuditEntry, AuditEntry.table_name == "signal")
    report(spain, "signals", made, found, conflicts, errors)
    assert errors == []
    assert (made, found, audited) == (PROCESSES * WRITES,) * 3


def test_edits_of_one_deal_from_many_processes_lose_no_update(spain):
    made, conflicts, errors = run_processes(spain, _add_one_to_the_deal)
    with read_session(spain) as session:
        deal = session.exec(select(Opportunity)).one()
    found = int(deal.amount)  # each write added one
    report(spain, "edits of one deal", made, found, conflicts, errors)
    assert errors == []
    assert (made, found, deal.version) == (PROCESSES * WRITES, PROCESSES * WRITES, 1 + PROCESSES * WRITES)
    assert trail_breaks(spain, "opportunity") == []


def test_decisions_from_many_processes_each_decide_on_what_they_saw(spain):
    made, conflicts, errors = run_processes(spain, _extend_the_gate)
    with read_session(spain) as session:
        sequences = session.exec(select(Decision.sequence).order_by(Decision.sequence)).all()
    report(spain, "decisions", made, len(sequences), conflicts, errors)
    assert errors == []
    assert made == PROCESSES * WRITES
    assert sequences == list(range(1, made + 1))  # one decision per write, none on another's unseen
