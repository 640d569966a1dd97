"""The import history of each market: every import written, with its choices, counts, warnings and what it
did to each deal (created, each field's old -> new, skipped). Append-only."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlmodel import Session, col, select

from rollout.platform import bulk
from rollout.platform.countries import get_country
from rollout.platform.errors import NotFound
from rollout.platform.exports import csv_bytes
from rollout.platform.models import DealImport, DealImportChange, stored_id, utc_now

if TYPE_CHECKING:
    from rollout.sales.deals_import import Change, ImportOutcome

CHANGE: Table = DealImportChange.__table__  # type: ignore[attr-defined]
CHANGE_COLUMNS = ("crm_id", "deal_name", "action", "field", "old", "new")
HISTORY_COLUMNS = (
    "id",
    "imported_at",
    "imported_by",
    "filename",
    "sha256",
    "format",
    "mapping",
    "created",
    "updated",
    "unchanged",
    "skipped",
    "rejected",
    "warnings",
)


def record_import(
    session: Session,
    outcome: ImportOutcome,
    code: str,
    by: str,
    filename: str,
    content: bytes,
    mapping: dict[str, Any],
) -> int:
    """Keep a written import in its market's history, with its change list; returns its id."""
    entry = DealImport(
        country_code=code.upper(),
        imported_at=utc_now(),
        imported_by=by,
        filename=filename[-255:],
        sha256=hashlib.sha256(content).hexdigest(),
        format=outcome.format,
        mapping=mapping,
        created=outcome.created,
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        skipped=outcome.skipped,
        rejected=outcome.rejected,
        warnings=[str(warning) for warning in outcome.warnings],
    )
    session.add(entry)
    session.flush()
    import_id = stored_id(entry)
    rows = [
        {"import_id": import_id, "crm_id": c.crm_id, "deal_name": c.name[:200]}
        | {"action": c.action, "field": c.field, "old": c.old, "new": c.new}
        for c in outcome.changes
    ]
    bulk.insert_rows(session, CHANGE, rows, new_ids=True)
    return import_id


def imports(session: Session, code: str, limit: int = 200) -> list[DealImport]:
    """The market's imports, newest first."""
    country = get_country(session, code)
    query = (
        select(DealImport)
        .where(DealImport.country_code == country.code)
        .order_by(col(DealImport.imported_at).desc(), col(DealImport.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def history_rows(entries: list[DealImport]) -> list[dict[str, Any]]:
    """The imports as plain rows (for a table, JSON or CSV): the mapping and warnings as short text."""
    return [
        {name: getattr(entry, name) for name in HISTORY_COLUMNS}
        | {"imported_at": entry.imported_at.isoformat(timespec="seconds"), "warnings": len(entry.warnings)}
        for entry in entries
    ]


def import_changes(session: Session, import_id: int) -> list[DealImportChange]:
    if session.get(DealImport, import_id) is None:
        raise NotFound(f"import #{import_id}: no such import")
    query = select(DealImportChange).where(DealImportChange.import_id == import_id)
    return list(session.exec(query.order_by(col(DealImportChange.id))))


def change_rows(changes: Iterable[Change | DealImportChange]) -> list[dict[str, str]]:
    """A change list (stored, or an outcome's) as plain rows: deal, what happened, field, old -> new."""
    return [dict(zip(CHANGE_COLUMNS, _change_row(change), strict=True)) for change in changes]


def changes_csv(changes: Iterable[Change | DealImportChange]) -> bytes:
    return csv_bytes(CHANGE_COLUMNS, (_change_row(change) for change in changes))


def _change_row(change: Change | DealImportChange) -> list[str]:
    name = change.deal_name if isinstance(change, DealImportChange) else change.name
    return [change.crm_id, name, change.action, change.field, change.old, change.new]


def history_csv(session: Session, code: str) -> bytes:
    rows = history_rows(imports(session, code, limit=100_000))
    return csv_bytes(HISTORY_COLUMNS, ([row[name] for name in HISTORY_COLUMNS] for row in rows))
