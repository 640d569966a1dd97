"""Text longer than its column is refused before it reaches the database, the same on both backends.

SQLite stores any length in a VARCHAR(n); PostgreSQL refuses it with a DataError naming nothing a
user can act on. So every ORM flush checks the text columns of what it writes (TextTooLong, a
RolloutError that pages show), and `rollout restore` checks each row it copies (`too_long`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import Session as OrmSession

from rollout.platform.errors import RolloutError


class TextTooLong(RolloutError):
    """A text value longer than its column; the message names the record kind and the field."""


def too_long(table: Table, values: Mapping[Any, Any]) -> Iterator[tuple[str, int, int]]:
    """(column, length, the column's width) for each text value in `values` longer than its column."""
    for name, width in _widths(table):
        value = values.get(name)
        if isinstance(value, str) and len(value) > width:
            yield name, len(value), width


def _widths(table: Table) -> list[tuple[str, int]]:
    found = _WIDTHS.get(table.name)
    if found is None:
        found = _WIDTHS[table.name] = []
        for column in table.columns:
            width = getattr(column.type, "length", None)  # String and SQLModel's AutoString
            if isinstance(width, int):
                found.append((column.name, width))
    return found


_WIDTHS: dict[str, list[tuple[str, int]]] = {}


@event.listens_for(OrmSession, "before_flush")
def _check_lengths(session: OrmSession, _flush_context: Any, _instances: Any) -> None:
    for record in (*session.new, *session.dirty):
        table = getattr(type(record), "__table__", None)
        if not isinstance(table, Table):
            continue
        for name, length, width in too_long(table, vars(record)):
            field = name.replace("_", " ")
            raise TextTooLong(
                f"{table.name.replace('_', ' ')} {field}: {length:,} characters long; at most {width:,} fit"
            )
