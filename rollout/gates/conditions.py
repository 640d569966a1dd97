"""Conditions of a conditional go: named, owned and dated; checks of the next gate until cleared.

A condition and its clearing are each one append-only row: clearing is for good, and audited like every
write."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from rollout.platform.access import Action, authorize
from rollout.platform.errors import RolloutError
from rollout.platform.models import ConditionClearance, Decision, GateCondition, stored_id, utc_now


@dataclass(frozen=True)
class ConditionInput:
    text: str
    due_on: date
    owner: str = ""


def validate_conditions(conditions: Sequence[ConditionInput], outcome: str, on: date) -> None:
    if conditions and outcome != "go":
        raise RolloutError(f"conditions: only a Go can carry conditions, not {outcome!r}")
    for number, condition in enumerate(conditions, start=1):
        where = f"condition {number}"
        if not condition.text.strip():
            raise RolloutError(f"{where}: say what must be done")
        if condition.due_on <= on:
            raise RolloutError(f"{where}: due {condition.due_on.isoformat()} must be after the decision day")
        if condition.owner and "@" not in condition.owner:
            raise RolloutError(f"{where}: owner {condition.owner!r} is not an email")


def parse_condition_lines(text: str) -> list[ConditionInput]:
    """Conditions typed one a line as `TEXT | YYYY-MM-DD | owner email (optional)`."""
    conditions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 3):
            raise RolloutError(f"conditions, line {number}: write it as 'what | YYYY-MM-DD | owner email'")
        try:
            due = date.fromisoformat(parts[1])
        except ValueError as error:
            problem = f"conditions, line {number}: '{parts[1]}' is not a date in YYYY-MM-DD form"
            raise RolloutError(problem) from error
        conditions.append(ConditionInput(parts[0], due, parts[2] if len(parts) == 3 else ""))
    return conditions


def add_conditions(
    session: Session, decision: Decision, phase: str, conditions: Sequence[ConditionInput], now: datetime
) -> None:
    for condition in conditions:
        session.add(
            GateCondition(
                country_code=decision.country_code,
                decision_id=stored_id(decision),
                phase=phase,
                text=condition.text.strip(),
                owner=condition.owner.strip().lower(),
                due_on=condition.due_on,
                created_at=now,
                created_by=decision.decided_by,
            )
        )


def clear_condition(
    session: Session, *, condition_id: int, by: str, note: str = "", on: date | None = None
) -> ConditionClearance:
    condition = session.get(GateCondition, condition_id)
    if condition is None:
        raise RolloutError(f"condition #{condition_id}: no such condition")
    by = authorize(session, by, Action.DECIDE_GATES, condition.country_code)
    cleared = session.exec(
        select(ConditionClearance).where(ConditionClearance.condition_id == condition_id)
    ).first()
    if cleared is not None:
        raise RolloutError(
            f"condition #{condition_id} was already cleared by {cleared.cleared_by} "
            f"on {cleared.cleared_on.isoformat()}"
        )
    clearance = ConditionClearance(
        condition_id=condition_id,
        country_code=condition.country_code,
        cleared_on=on or date.today(),
        note=note.strip(),
        cleared_at=utc_now(),
        cleared_by=by,
    )
    session.add(clearance)
    session.flush()
    return clearance
