"""Inserting many rows at once, for file imports: a hundred thousand deals, their stage changes and audit
entries in seconds.

SQLAlchemy's executemany spends most of its time per row in Python, and its "insertmanyvalues" RETURNING
is slower still on psycopg (the driver parses each long multi-row statement again: ~4,000 rows/s). So
values go through the columns' own bind processors (the stored form of amounts, instants, JSON), then
straight to the driver: COPY on PostgreSQL, one executemany on SQLite. New ids are taken beforehand, so
the caller knows them without RETURNING.

Like any Core insert this bypasses the ORM and its audit hook: callers record the rows with
`rollout.platform.audit.record_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session


def insert_rows(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], new_ids: bool = False
) -> None:
    """Insert `rows` (dicts with the same keys) in the session's transaction. With `new_ids`, each row is
    given the next id of the table first (its "id" key is set)."""
    if not rows:
        return
    connection = session.connection()
    if new_ids:
        for row, new_id in zip(rows, _next_ids(connection, table, len(rows)), strict=True):
            row["id"] = new_id
    names = list(rows[0])
    if connection.dialect.name != "postgresql" and connection.dialect.paramstyle != "qmark":
        connection.execute(insert(table), rows)  # neither PostgreSQL nor SQLite: the general way
        return
    values = _driver_values(connection, table, names, rows)
    if connection.dialect.name == "postgresql":
        _copy(connection, table, names, values)
    else:
        _executemany(connection, table, names, values)


def _next_ids(connection: Connection, table: Table, count: int) -> list[int]:
    if connection.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return list(connection.execute(query, {"table": table.name, "count": count}).scalars())
    # SQLite gives a new row the largest id + 1 (no AUTOINCREMENT table here); write transactions hold the
    # database's write lock from their start (BEGIN IMMEDIATE), so no other writer can take these ids.
    largest = connection.execute(text(f"SELECT coalesce(max(id), 0) FROM {_quoted(connection, table.name)}"))
    start = largest.scalar_one() + 1
    return list(range(start, start + count))


def _driver_values(
    connection: Connection, table: Table, names: list[str], rows: Sequence[dict[str, Any]]
) -> list[tuple]:
    """Each row's values in `names` order, passed through the bind processors of the columns that have one
    (most are text and go as they are)."""
    in_order = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    processors = [
        (position, process)
        for position, name in enumerate(names)
        if (process := _processor(connection, table, name)) is not None
    ]
    values = []
    for row in rows:
        row_values = list(in_order(row))
        for position, process in processors:
            row_values[position] = process(row_values[position])
        values.append(tuple(row_values))
    return values


def _processor(connection: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would do to a value of this column before handing it to the driver."""
    column_type = table.c[name].type
    process = column_type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    if process is None or isinstance(column_type, JSON):
        return process
    # Imported rows repeat their instants and dates (a few hundred days): convert each value once.
    return cache(process)


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _copy(connection: Connection, table: Table, names: list[str], values: list[tuple]) -> None:
    columns = ", ".join(_quoted(connection, name) for name in names)
    statement = f"COPY {_quoted(connection, table.name)} ({columns}) FROM STDIN"
    driver = connection.connection.dbapi_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in values:
                copy.write_row(row)
    except connection.dialect.loaded_dbapi.Error as error:
        # As SQLAlchemy raises a driver's error for its own statements (IntegrityError and the like), so
        # callers catch one kind whatever the database.
        raise DBAPIError.instance(statement, None, error, connection.dialect.loaded_dbapi.Error) from error


def _executemany(connection: Connection, table: Table, names: list[str], values: list[tuple]) -> None:
    columns = ", ".join(_quoted(connection, name) for name in names)
    marks = ", ".join("?" for _ in names)
    connection.exec_driver_sql(
        f"INSERT INTO {_quoted(connection, table.name)} ({columns}) VALUES ({marks})", values
    )
