"""The audit trail: every create, update and delete made through a write session, recorded in the same
transaction as the change itself (who, when, source, old → new), so the trail can never miss a change that
landed nor hold one that did not.

Recording hooks into SQLAlchemy's flush, so a new write function is covered without doing anything. A write
session without an acting user is refused: `rollout.platform.access.authorize` names the user before
any change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Mapper
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, col, select

from rollout.platform import bulk
from rollout.platform.models import AuditEntry, DealImport, DealImportChange, Hire, Opportunity, utc_now

SOURCES = ("ui", "import", "cli", "demo", "local")
# Trails of their own, append-only, not recorded again here: the trail itself and the deal import history.
TRAILS: frozenset[type] = frozenset({AuditEntry, DealImport, DealImportChange})
# Not a table: an admin viewing the app as another user (actions "start" and "stop", keyed by that user).
VIEW_AS = "view_as"
# Fields the history view leaves out: who and when are its own columns, and versions are bookkeeping.
BOOKKEEPING = frozenset({"version", "updated_at", "updated_by", "created_at", "created_by"})
KEPT_AS_IS = frozenset({str, int, float, bool, type(None)})


class _InCountry(Protocol):
    country_code: str


# Child records whose country is their parent's: (parent model, the foreign key naming it).
COUNTRY_VIA_PARENT: dict[str, tuple[type[_InCountry], str]] = {
    "stagechange": (Opportunity, "opportunity_id"),
    "hirestagechange": (Hire, "hire_id"),
}


DATA_CHANGED = "rollout_data_changed"  # on a session's info once it has recorded a change


class MissingActor(RuntimeError):
    """A programming error: a write function changed data without authorizing the acting user first."""


def plain_value(value: Any) -> Any:
    """A value as JSON keeps it: dates and instants as ISO text, exact decimals as text."""
    if type(value) in KEPT_AS_IS:  # most values, quickly: an import records millions of them
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 1.176800 and 1.1768 are the same rate
    if isinstance(value, Enum):
        return value.value
    return value


def _record_key(obj: Any) -> str:
    return "/".join(str(part) for part in inspect(obj).mapper.primary_key_from_instance(obj))


def _country_code(session: OrmSession, obj: Any) -> str | None:
    table = obj.__table__.name
    if table == "country":
        return obj.code
    if table in COUNTRY_VIA_PARENT:
        model, key = COUNTRY_VIA_PARENT[table]
        with session.no_autoflush:
            parent = session.get(model, getattr(obj, key))
        return parent.country_code if parent else None
    return getattr(obj, "country_code", None)


def _field_changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes = {}
    for column in state.mapper.column_attrs:
        value = plain_value(getattr(obj, column.key))
        if action == "create":
            changes[column.key] = [None, value]
        elif action == "delete":
            changes[column.key] = [value, None]
        else:
            history = state.attrs[column.key].history
            if history.has_changes():
                # No old value when the attribute was never loaded: recorded as unknown → new.
                old = plain_value(history.deleted[0]) if history.deleted else None
                if old != value or not history.deleted:
                    changes[column.key] = [old, value]
    return changes


def _entry(
    info: dict, at: datetime, action: str, table_name: str, key: str, country: str | None, changes: dict
) -> dict[str, Any]:
    """One audit_entry row, with the acting user and source the write session carries."""
    if not info.get("actor"):
        raise MissingActor(f"{action} of a {table_name} without an acting user")
    return {
        "at": at,
        "actor": info["actor"],
        "source": info["source"],
        "action": action,
        "table_name": table_name,
        "record_key": key,
        "country_code": country,
        "changes": changes,
    }


def _entries(session: OrmSession) -> Iterable[dict[str, Any]]:
    at = utc_now()
    touched = [("create", obj) for obj in session.new]
    touched += [("update", obj) for obj in session.dirty if session.is_modified(obj)]
    touched += [("delete", obj) for obj in session.deleted]
    for action, obj in touched:
        if type(obj) in TRAILS:
            continue
        if changes := _field_changes(obj, action):
            table, key, country = obj.__table__.name, _record_key(obj), _country_code(session, obj)
            yield _entry(session.info, at, action, table, key, country, changes)


def record_as_import(session: Session) -> None:
    """What a file import writes is recorded as `import`, whether the file came through the app or the CLI;
    the demo's own rates stay `demo`."""
    if session.info.get("source") != "demo":
        session.info["source"] = "import"


def record_rows(
    session: Session,
    table: Table,
    action: str,
    rows: Sequence[Mapping[str, Any]],
    country_code: str | None,
    old_rows: Sequence[Mapping[Any, Any]] = (),  # RowMapping: keyed by name (or column)
) -> None:
    """Record rows written with Core statements, which the flush hook never sees, exactly as the hook
    would have: one entry per row, in one executemany.

    `rows` are the rows as written: every column of a created row; for an update, the primary key and the
    columns set, with `old_rows` (the same order) holding the values they replaced. `country_code` is the
    country every row belongs to. MissingActor without an acting user, as for any other write.
    """
    at = utc_now()
    keys, names = [c.name for c in table.primary_key.columns], [c.name for c in table.columns]
    entries = []
    for row, old in zip(rows, old_rows or [{}] * len(rows), strict=True):
        if changes := _row_changes(names, action, row, old):
            key = "/".join(str(row[key]) for key in keys)
            entries.append(_entry(session.info, at, action, table.name, key, country_code, changes))
    bulk.insert_rows(session, AuditEntry.__table__, entries)  # type: ignore[attr-defined]
    if entries:
        session.info[DATA_CHANGED] = True


def _row_changes(names: list[str], action: str, row: Mapping[str, Any], old: Mapping[str, Any]) -> dict:
    """What `_field_changes` gives for an ORM object: every column (`names`, in the table's order) of a
    create or delete; an update's columns whose value differs."""
    if action == "create":
        return {name: [None, _plain(row[name])] for name in names}
    if action == "delete":
        return {name: [_plain(row[name]), None] for name in names}
    changes = {}
    for name in names:
        if name in row and name in old:
            before, after = _plain(old[name]), _plain(row[name])
            if before != after:
                changes[name] = [before, after]
    return changes


def record_view_as(session: Session, viewed: str, *, started: bool) -> None:
    """Record that the acting admin started (or stopped) viewing the app as `viewed`."""
    change = [None, viewed] if started else [viewed, None]
    action = "start" if started else "stop"
    entry = _entry(session.info, utc_now(), action, VIEW_AS, viewed, None, {"viewing as": change})
    session.connection().execute(insert(AuditEntry), [entry])


@lru_cache(maxsize=65536)
def _plain_once(value: Any) -> Any:
    return plain_value(value)


def _plain(value: Any) -> Any:
    """plain_value, converting each instant, date and amount once: imported rows repeat them."""
    if type(value) in KEPT_AS_IS:
        return value
    try:
        return _plain_once(value)
    except TypeError:  # a list or dict (JSON columns) cannot be a cache key
        return plain_value(value)


@event.listens_for(OrmSession, "after_flush")
def _record_flush(session: OrmSession, _flush_context: Any) -> None:
    # Only write sessions carry a source; reads and schema migrations record nothing.
    if "source" not in session.info:
        return
    entries = list(_entries(session))
    if entries:
        session.connection().execute(insert(AuditEntry), entries)
        session.info[DATA_CHANGED] = True


def changed_data(session: OrmSession) -> bool:
    """Whether the session recorded a change since this was last asked: every change is recorded, so a
    transaction that recorded one changed data (the data version counts it)."""
    return session.info.pop(DATA_CHANGED, False)


def history(
    session: Session,
    *,
    country_code: str | None = None,
    table_name: str | None = None,
    record_key: str | None = None,
    within: Sequence[str] = (),
    limit: int = 500,
) -> pd.DataFrame:
    """The newest changes first, one row per field changed (bookkeeping fields left out); filtered by
    country and/or one record; `within` (countries) leaves out every other country's changes and those
    bound to no country. `limit` counts changes (records), not rows."""
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if country_code:
        query = query.where(AuditEntry.country_code == country_code)
    if within:
        query = query.where(col(AuditEntry.country_code).in_(within))
    if table_name:
        query = query.where(AuditEntry.table_name == table_name)
    if record_key:
        query = query.where(AuditEntry.record_key == record_key)
    rows = [
        {
            "at": entry.at,
            "who": entry.actor,
            "source": entry.source,
            "action": entry.action,
            "record": f"{entry.table_name} {entry.record_key}",
            "field": field,
            "old": old,
            "new": new,
        }
        for entry in session.exec(query)
        for field, (old, new) in entry.changes.items()
        if field not in BOOKKEEPING
    ]
    columns = ["at", "who", "source", "action", "record", "field", "old", "new"]
    return pd.DataFrame(rows, columns=columns)


def tables_with_history(session: Session, country_code: str | None = None) -> list[str]:
    query = select(AuditEntry.table_name).distinct()
    if country_code:
        query = query.where(AuditEntry.country_code == country_code)
    return sorted(session.exec(query))


def replay(entries: Iterable[AuditEntry]) -> dict[str, dict[str, dict[str, Any]]]:
    """Rebuild every audited table from its history alone: {table: {record key: {field: value}}}."""
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for entry in entries:
        if entry.table_name == VIEW_AS:
            continue  # who viewed the app as whom changed no record
        records = state.setdefault(entry.table_name, {})
        if entry.action == "delete":
            records.pop(entry.record_key, None)
            continue
        record = records.setdefault(entry.record_key, {})
        record.update({field: new for field, (_old, new) in entry.changes.items()})
    return state


def audited_mappers() -> list[Mapper[Any]]:
    """Every table model whose changes the trail records (all but the trail itself)."""
    return [mapper for mapper in SQLModel._sa_registry.mappers if mapper.class_ not in TRAILS]


def current_state(session: Session) -> dict[str, dict[str, dict[str, Any]]]:
    """The same shape as `replay`, read from the tables themselves, to check one against the other."""
    state: dict[str, dict[str, dict[str, Any]]] = {}
    for mapper in audited_mappers():
        columns = [attr.key for attr in mapper.column_attrs]
        rows = {
            _record_key(row): {key: plain_value(getattr(row, key)) for key in columns}
            for row in session.exec(select(mapper.class_))
        }
        if rows:
            state[mapper.class_.__table__.name] = rows
    return state
