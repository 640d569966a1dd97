"""Optimistic locking: a save names the version of the record it started from; if someone saved the record
in between, the save is refused and nothing is overwritten. Records are read FOR UPDATE before the check, so
two simultaneous saves queue and the second one sees the first one's version.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

from rollout.platform.errors import Conflict
from rollout.platform.models import utc_now

T = TypeVar("T")


def locked(session: Session, model: type[T], key: Any) -> T | None:
    """The stored row, locked until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's write
    transactions are serialised anyway) and read again even if the session already holds it: a copy
    read before the lock was granted may be older than the version checked against it."""
    return session.get(model, key, with_for_update=True, populate_existing=True)


def require_version(record: Any, expected_version: int | None, what: str) -> None:
    """Refuse a save based on an older version of `record`, saying who changed it since.

    None means the caller did not read the record first (a CLI command, an import): the latest wins.
    """
    if expected_version is None or record.version == expected_version:
        return
    when = record.updated_at.strftime("%Y-%m-%d %H:%M UTC") if record.updated_at else "meanwhile"
    raise Conflict(
        f"{what} was changed by {record.updated_by} ({when}) after you opened it. "
        "Your change was not saved: reload to see theirs, then make yours again."
    )


def touch(record: Any, by: str) -> None:
    """Stamp a saved record: who, when, and a new version."""
    record.version += 1
    record.updated_at, record.updated_by = utc_now(), by
