"""Optimistic locking: a save names the version of the record it started from; if someone saved the record
in between, the save is refused and nothing is overwritten. Records are read FOR UPDATE before the check, so
two simultaneous saves queue and the second one sees the first one's version.
"""

from __future__ import annotations

from typing import Any

from rollout.errors import Conflict
from rollout.models import utc_now


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
