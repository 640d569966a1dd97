"""Optimistic locking: a save names the version of the record it started from; if someone saved the record
in between, the save is refused and nothing is overwritten. Records are read FOR UPDATE before the check, so
two simultaneous saves queue and the second one sees the first one's version.
"""

from __future__ import annotations

import zlib
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from rollout.platform.errors import Conflict, RolloutError
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


class Busy(RolloutError):
    """Another writer held the database for longer than a write may wait (an import, say)."""


BUSY_MESSAGE = (
    "The database is busy with another change (a large import, say) and your change was not saved. "
    "What you entered is kept: try again in a moment."
)
# SQLite's "database is locked"/"is busy" after its busy timeout; PostgreSQL's deadlock and lock timeouts.
BUSY_SQLITE = ("database is locked", "database is busy")
BUSY_SQLSTATES = {"40P01", "55P03", "40001"}


def busy_error(error: DBAPIError) -> Busy | None:
    """The Busy a failed write means, or None when it failed for another reason."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in BUSY_SQLSTATES or any(words in str(error.orig) for words in BUSY_SQLITE):
        return Busy(BUSY_MESSAGE)
    return None


def serialised(session: Session, name: str) -> None:
    """Writers naming the same `name` run one after another until their transactions end (PostgreSQL's
    advisory transaction lock; SQLite's write transactions are serialised anyway)."""
    if session.connection().dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key, whatever the process
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
