"""Small builders shared by the domain tests: a two-phase test playbook, countries, decisions, metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from rollout.gates import decisions as gate_decisions
from rollout.gates import metrics
from rollout.gates import status as gates
from rollout.gates.playbook import Playbook, parse_playbook
from rollout.marketing.local_calendar import CalendarEntry
from rollout.platform.countries import add_country
from rollout.platform.db import read_session, write_session
from rollout.platform.models import CheckMark, Decision
from tests.conftest import ACTOR, TODAY

# Metric names only the tests use, so feature modules registering real metrics never interfere.
PILOT_METRIC = "test_pilot_meetings"
UNREGISTERED_METRIC = "test_never_registered"

TEST_PLAYBOOK_TOML = """
at_risk_ratio = 0.8
default_extension_months = 3

[[phases]]
key = "pilot"
name = "Pilot"
months = {months}

[phases.gate]
name = "Pilot review"

[[phases.gate.criteria]]
key = "meetings"
name = "Meetings held"
kind = "metric"
metric = "{metric}"
threshold = {threshold}

[[phases.gate.criteria]]
key = "memo"
name = "Memo reviewed"
kind = "check"

[[phases]]
key = "launch"
name = "Launch"
months = 2

[phases.gate]
name = "Launch review"

[[phases.gate.criteria]]
key = "site_live"
name = "Site live"
kind = "metric"
metric = "{unregistered}"
threshold = 1
unit = "share"

[[phases.gate.criteria]]
key = "sign_off"
name = "Signed off"
kind = "check"
"""


def make_playbook(threshold: float = 15, months: int = 3, metric: str = PILOT_METRIC) -> Playbook:
    """Pilot (metric `meetings` + check `memo`) → Launch (unregistered metric + check `sign_off`)."""
    text = TEST_PLAYBOOK_TOML.format(
        threshold=threshold, months=months, metric=metric, unregistered=UNREGISTERED_METRIC
    )
    return parse_playbook(text, source="test-playbook.toml")


class FixedDate(date):
    """`date` with today() pinned to conftest.TODAY: monkeypatch it over a module's `date`."""

    @classmethod
    def today(cls) -> date:
        return TODAY


@dataclass
class FakeDecision:
    """What timeline.replay reads from a decision."""

    outcome: str
    decided_on: date
    extension_months: int | None = None
    phase: str | None = None


@contextmanager
def registered_metric(
    name: str, function: Callable[[Session, metrics.MetricWindow], float]
) -> Iterator[None]:
    metrics.register(name, description=f"test metric {name}")(function)
    try:
        yield
    finally:
        metrics.unregister(name)


def add(engine: Engine, code: str, start: date, by: str = ACTOR) -> None:
    with write_session(engine) as session:
        add_country(session, code=code, start_date=start, by=by)


def decide(engine: Engine, playbook: Playbook, code: str, outcome: str, on: date, **kwargs) -> Decision:
    kwargs.setdefault("by", ACTOR)
    kwargs.setdefault("rationale", f"test {outcome}")  # a Go on an unmet gate needs one too
    with write_session(engine) as session:
        decision = gate_decisions.record_decision(
            session, code=code, outcome=outcome, on=on, playbook=playbook, **kwargs
        )
        session.expunge(decision)
    return decision


def tick(engine: Engine, playbook: Playbook, code: str, key: str, on: date, checked: bool = True, **kwargs):
    kwargs.setdefault("by", ACTOR)
    with write_session(engine) as session:
        return gate_decisions.mark_check(
            session, code=code, criterion_key=key, checked=checked, today=on, playbook=playbook, **kwargs
        ).id


def status(engine: Engine, playbook: Playbook, code: str, on: date) -> gates.GateStatus:
    with read_session(engine) as session:
        return gates.gate_status(session, code, today=on, playbook=playbook)


def criterion(gate: gates.GateStatus, key: str) -> gates.CriterionResult:
    return next(c for c in gate.criteria if c.key == key)


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def decision_count(engine: Engine) -> int:
    return count(engine, Decision)


def checkmark_count(engine: Engine) -> int:
    return count(engine, CheckMark)


def local_event_entry(**fields) -> CalendarEntry:
    """A one-day local event on 1 May 2026 in the calendar's own shape, with the given text fields."""
    return CalendarEntry(
        start=date(2026, 5, 1), end=date(2026, 5, 1), kind="local_event", category="opportunity", **fields
    )
