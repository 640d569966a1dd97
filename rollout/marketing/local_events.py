"""Correcting the local events marketers add: edited in place, or removed (the trail keeps their values)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from rollout.marketing.campaigns import _refuse_twin_event
from rollout.platform.access import Action, authorize
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import LocalEvent

EVENT_KINDS = ("opportunity", "quiet")
EVENT_FIELDS = ("name", "kind", "start_date", "end_date", "note")


def _stored_event(
    session: Session, event_id: int, by: str, expected_version: int | None
) -> tuple[LocalEvent, str]:
    """The event, locked, at the version the user opened, and the acting user (a marketer of its country)."""
    event = locked(session, LocalEvent, event_id)
    if event is None:
        raise NotFound(f"local event #{event_id} does not exist (it may have been removed)")
    by = authorize(session, by, Action.MANAGE_MARKETING, event.country_code)
    require_version(event, expected_version, f"'{event.name}'")
    return event, by


def update_local_event(
    session: Session, *, event_id: int, by: str, expected_version: int | None = None, **changes: Any
) -> LocalEvent:
    """Correct a local event: only the fields given change (EVENT_FIELDS)."""
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise RolloutError(f"local event: no field {', '.join(sorted(unknown))}")
    event, by = _stored_event(session, event_id, by, expected_version)
    values = {**event.model_dump(include=set(EVENT_FIELDS)), **changes}
    name, start, end = str(values["name"]).strip(), values["start_date"], values["end_date"]
    if not name:
        raise RolloutError("name: required")
    if values["kind"] not in EVENT_KINDS:
        raise RolloutError(f"kind: must be opportunity or quiet, not '{values['kind']}'")
    if not isinstance(start, date) or not isinstance(end, date):
        raise RolloutError("dates: choose the first and the last day")
    if end < start:
        raise RolloutError(f"end: {end.isoformat()} is before the start {start.isoformat()}")
    _refuse_twin_event(session, event.country_code, name, start, end, event_id)
    for field, value in values.items():
        setattr(event, field, value.strip() if isinstance(value, str) else value)
    touch(event, by)
    session.add(event)
    session.flush()
    return event


def remove_local_event(
    session: Session, *, event_id: int, by: str, expected_version: int | None = None
) -> LocalEvent:
    """Remove a local event added by mistake; the trail keeps every one of its values."""
    event, _by = _stored_event(session, event_id, by, expected_version)
    session.delete(event)
    session.flush()
    return event


def events_of(session: Session, code: str) -> list[LocalEvent]:
    """The country's local events, newest first, to pick one to correct."""
    query = select(LocalEvent).where(LocalEvent.country_code == code)
    return list(session.exec(query.order_by(col(LocalEvent.start_date).desc(), col(LocalEvent.id).desc())))
