"""Checking the audit trail against the tables: every entry's old values are what the record held."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from rollout.platform import audit
from rollout.platform.db import read_session
from rollout.platform.models import AuditEntry


def trail_breaks(engine: Engine, table: str) -> list[str]:
    """Where the trail of `table` does not add up: an entry whose old value is not what the previous
    entries left, or a record whose stored values are not what its entries replay to."""
    breaks: list[str] = []
    records: dict[str, dict[str, Any]] = {}
    with read_session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == table).order_by(col(AuditEntry.id))
        ).all()
        stored = audit.current_state(session).get(table, {})
    for entry in entries:
        record = records.setdefault(entry.record_key, {})
        for field, (old, new) in entry.changes.items():
            if entry.action != "create" and record.get(field) != old:
                breaks.append(
                    f"{table} {entry.record_key} entry {entry.id}: old {field} {old!r}, "
                    f"but the record held {record.get(field)!r}"
                )
            record[field] = new
    for key, values in stored.items():
        if records.get(key) != values:
            breaks.append(f"{table} {key}: stored {values}, the trail replays to {records.get(key)}")
    return breaks
