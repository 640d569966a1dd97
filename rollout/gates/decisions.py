"""Gate writes: go/no-go decisions and check marks, each on the gate as it is when written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rollout.gates.conditions import ConditionInput, add_conditions, validate_conditions
from rollout.gates.playbook import Playbook, load_playbook
from rollout.gates.status import (
    MAX_EXTENSION_MONTHS,
    RATIONALE_REQUIRED,
    GateStatus,
    gate_status,
    latest_marks,
)
from rollout.platform.access import Action, authorize
from rollout.platform.countries import normalize_code
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.models import OUTCOMES, CheckMark, Country, Decision, utc_now


def _require_open_gate(status: GateStatus, playbook: Playbook) -> None:
    if not status.at_gate:
        raise RolloutError(
            f"{status.country} is {playbook.state_name(status.phase).lower()}: it has no gate to decide"
        )
    if not status.started:
        raise RolloutError(
            f"{status.country} starts on {status.phase_started.isoformat()}: "
            "there is no gate to decide before then"
        )


def _validate_decision(
    status: GateStatus,
    outcome: str,
    rationale: str,
    extension_months: int | None,
    on: date,
    last: Decision | None,
) -> None:
    if outcome not in OUTCOMES:
        raise RolloutError(f"decision '{outcome}' is not one of {', '.join(OUTCOMES)}")
    if outcome in RATIONALE_REQUIRED and not rationale.strip():
        raise RolloutError(f"rationale: required to {outcome} (say why, for the people who review it later)")
    if outcome == "go" and not status.ready and not rationale.strip():
        raise RolloutError(
            f"rationale: {status.criteria_met} of {len(status.criteria)} criteria are met; "
            "say why the market should go on anyway"
        )
    if outcome == "extend" and not (extension_months and 1 <= extension_months <= MAX_EXTENSION_MONTHS):
        raise RolloutError(f"extension: must be 1 to {MAX_EXTENSION_MONTHS} months, not {extension_months}")
    if outcome == "hold" and status.on_hold_since:
        raise RolloutError(
            f"{status.country} is already on hold since {status.on_hold_since.isoformat()}: "
            "record go, extend or stop to end the hold"
        )
    if on < status.phase_started or (last and on < last.decided_on):
        raise RolloutError(f"date: {on.isoformat()} is before the previous decision or phase start")


def _conflict(code: str, last: Decision | None) -> Conflict:
    who = (
        f"{last.decided_by} recorded '{last.outcome}' on {last.decided_on.isoformat()}"
        if last
        else "another decision was recorded"
    )
    return Conflict(
        f"{code}: {who} while you were reviewing this gate. Your decision was not recorded: "
        "review the gate as it is now and decide again."
    )


def record_decision(
    session: Session,
    *,
    code: str,
    outcome: str,
    by: str,
    rationale: str = "",
    extension_months: int | None = None,
    expected_count: int | None = None,
    on: date | None = None,
    playbook: Playbook | None = None,
    now: datetime | None = None,
    today: date | None = None,
    expected_phase: str | None = None,
    conditions: Sequence[ConditionInput] = (),
    extra_evidence: dict[str, Any] | None = None,
) -> Decision:
    """Record a go/no-go decision on the country's current gate, freezing the evidence it saw.

    `expected_count` is how many decisions the decider saw when reviewing, `expected_phase` the gate
    they mean to decide: if another decision landed since, or the country is at another gate, nothing
    is recorded and Conflict says who decided what. A Go may carry `conditions`: checks of the next gate
    until cleared. `extra_evidence` is frozen beside the gate's (a review's recommendations).
    """
    by = authorize(session, by, Action.DECIDE_GATES, normalize_code(code))
    playbook = playbook or load_playbook()
    today = today or date.today()
    on = on or today
    if on > today:
        raise RolloutError(f"date: {on.isoformat()} is in the future")
    # Deciders of one country queue here (PostgreSQL; SQLite writers already queue on BEGIN IMMEDIATE),
    # so the second one sees the first one's decision and is told who decided.
    session.exec(select(Country.code).where(Country.code == normalize_code(code)).with_for_update())
    status = gate_status(session, code, today=on, playbook=playbook)
    _require_open_gate(status, playbook)
    previous = session.exec(
        select(Decision)
        .where(Decision.country_code == status.country)
        .order_by(col(Decision.sequence).desc())
        .limit(1)
    ).first()
    if outcome == "extend" and extension_months is None:
        extension_months = playbook.default_extension_months
    _validate_decision(status, outcome, rationale, extension_months, on, previous)
    validate_conditions(conditions, outcome, on)
    if expected_count is not None and status.decision_count != expected_count:
        raise _conflict(status.country, previous)
    if expected_phase is not None and status.phase != expected_phase:
        raise _conflict(status.country, previous)
    decision = Decision(
        country_code=status.country,
        sequence=status.decision_count + 1,
        phase=status.phase,
        outcome=outcome,
        decided_on=on,
        decided_at=now or utc_now(),
        decided_by=by,
        rationale=rationale.strip(),
        extension_months=extension_months if outcome == "extend" else None,
        evidence=status.as_dict() | (extra_evidence or {}),
    )
    session.add(decision)
    try:
        session.flush()
    except IntegrityError as error:  # someone else took this sequence number first
        raise _conflict(status.country, None) from error
    if conditions:
        add_conditions(
            session, decision, playbook.next_phase_key(status.phase), conditions, decision.decided_at
        )
        session.flush()
    return decision


def mark_check(
    session: Session,
    *,
    code: str,
    criterion_key: str,
    checked: bool,
    by: str,
    note: str = "",
    playbook: Playbook | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> CheckMark:
    """Tick or untick a check criterion of the country's current gate."""
    by = authorize(session, by, Action.DECIDE_GATES, normalize_code(code))
    playbook = playbook or load_playbook()
    status = gate_status(session, code, today=today, playbook=playbook)
    _require_open_gate(status, playbook)
    criterion = next((c for c in status.criteria if c.key == criterion_key), None)
    if criterion is None or criterion.kind != "check":
        checks = [c.key for c in status.criteria if c.kind == "check"] or ["none"]
        raise RolloutError(
            f"'{criterion_key}' is not a check of the {playbook.phase(status.phase).gate_name} gate "
            f"(its checks: {', '.join(checks)})"
        )
    mark = CheckMark(
        country_code=status.country,
        phase=status.phase,
        criterion_key=criterion_key,
        checked=checked,
        note=note.strip(),
        marked_at=now or utc_now(),
        marked_by=by,
    )
    session.add(mark)
    session.flush()
    return mark


def mark_checks(
    session: Session,
    *,
    code: str,
    wanted: dict[str, tuple[bool, str]],
    by: str,
    playbook: Playbook | None = None,
) -> int:
    """Record the checks whose tick or note differs from their latest mark; returns how many."""
    status = gate_status(session, code, playbook=playbook)
    current = {c.key: c for c in status.criteria if c.kind == "check"}
    latest = latest_marks(session, [status.country])[status.country]
    changed = 0
    for key, (checked, note) in wanted.items():
        mark = latest.get((status.phase, key))
        new_note = bool(note.strip()) and note.strip() != (mark.note if mark else "")
        if key in current and checked == current[key].met and not new_note:
            continue
        mark_check(
            session, code=code, criterion_key=key, checked=checked, note=note, by=by, playbook=playbook
        )
        changed += 1
    return changed
