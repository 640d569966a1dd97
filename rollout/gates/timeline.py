"""A country's phase history, replayed from its start date and its decisions.

The decisions are the only record: the current phase, its start, its due date and the time spent
on hold are all derived from them, so there is no second copy of the state to fall out of step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta

from rollout.gates.playbook import EXITED, Playbook
from rollout.platform.errors import RolloutError


class DecisionLike(Protocol):
    """What a replay reads of a decision (read-only, so a stored Decision, whose phase is always known,
    fits too)."""

    @property
    def outcome(self) -> str: ...
    @property
    def decided_on(self) -> date: ...
    @property
    def extension_months(self) -> int | None: ...
    @property
    def phase(self) -> str | None: ...  # the gate it was taken at; None where unknown


class HistoryMismatch(RolloutError):
    """The playbook no longer matches the recorded decisions (a phase was removed or reordered)."""


@dataclass
class PhaseSpan:
    """One phase as the country lived it."""

    phase: str
    started_on: date
    planned_end: date  # start + the playbook's duration, before extensions and holds
    due_on: date  # the gate's due date: planned end + extensions + time on hold
    ended_on: date | None = None  # None while the phase is current
    outcome: str | None = None  # "go" or "stop" for a phase that ended
    extension_months: int = 0
    held_days: int = 0
    held_since: date | None = None
    holds: list[tuple[date, date]] = field(default_factory=list)  # closed holds, (from, until)
    decisions: list[tuple[date, str]] = field(default_factory=list)  # (day, outcome) taken at this gate

    def hold_periods(self, today: date) -> list[tuple[date, date]]:
        """Every hold of the phase, an open one running until `today`."""
        return self.holds + ([(self.held_since, today)] if self.held_since else [])


@dataclass
class Timeline:
    state: str  # a phase key, "established" or "exited"
    spans: list[PhaseSpan] = field(default_factory=list)

    @property
    def current(self) -> PhaseSpan | None:
        """The open phase, or None once established or exited."""
        last = self.spans[-1] if self.spans else None
        return last if last and last.ended_on is None else None


def _open_span(playbook: Playbook, phase: str, started_on: date) -> PhaseSpan:
    planned_end = started_on + relativedelta(months=playbook.phase(phase).months)
    return PhaseSpan(phase=phase, started_on=started_on, planned_end=planned_end, due_on=planned_end)


def _refresh_due(span: PhaseSpan, today: date) -> None:
    """Due date = planned end + extensions + days on hold (an open hold keeps pushing it back)."""
    open_hold = (today - span.held_since).days if span.held_since else 0
    extended = span.planned_end + relativedelta(months=span.extension_months)
    span.due_on = extended + timedelta(days=span.held_days + max(open_hold, 0))


def replay(start_date: date, decisions: Iterable[DecisionLike], playbook: Playbook, today: date) -> Timeline:
    """The timeline after applying `decisions` in order to a country that started on `start_date`."""
    timeline = Timeline(state=playbook.first_phase_key)
    span = _open_span(playbook, timeline.state, start_date)
    timeline.spans.append(span)
    for number, decision in enumerate(decisions, start=1):
        if decision.phase is not None and decision.phase != span.phase:
            raise HistoryMismatch(
                f"decision #{number} ({decision.outcome} on {decision.decided_on.isoformat()}) was taken "
                f"at the '{decision.phase}' gate, but the playbook ({playbook.source}) puts the country "
                f"in '{span.phase}' then: restore that phase in the playbook"
            )
        span.decisions.append((decision.decided_on, decision.outcome))
        if span.held_since is not None:  # any decision ends a hold
            span.held_days += (decision.decided_on - span.held_since).days
            span.holds.append((span.held_since, decision.decided_on))
            span.held_since = None
        if decision.outcome == "extend":
            span.extension_months += decision.extension_months or 0
        elif decision.outcome == "hold":
            span.held_since = decision.decided_on
        elif decision.outcome in ("go", "stop"):
            span.ended_on, span.outcome = decision.decided_on, decision.outcome
            _refresh_due(span, decision.decided_on)
            if decision.outcome == "stop":
                timeline.state = EXITED
                return timeline
            timeline.state = playbook.next_phase_key(span.phase)
            if not playbook.is_phase(timeline.state):
                return timeline
            span = _open_span(playbook, timeline.state, decision.decided_on)
            timeline.spans.append(span)
    _refresh_due(span, today)
    return timeline


def active_days(span: PhaseSpan, today: date) -> int:
    """Days the phase clock has run: calendar days since its start, less the days on hold."""
    end = span.ended_on or today
    open_hold = (end - span.held_since).days if span.held_since else 0
    return max((end - span.started_on).days - span.held_days - open_hold, 0)


def planned_days(span: PhaseSpan) -> int:
    """Days the clock may run before the gate is due (the playbook's duration plus extensions)."""
    return (span.planned_end + relativedelta(months=span.extension_months) - span.started_on).days
