"""Online backups to a SQLite file, and restores from one into an empty database of either kind.

A backup is a SQLite database file whatever the source, so it is portable and opens with sqlite3:
- from SQLite, the sqlite3 online backup API copies the database in one step, a consistent snapshot
  taken while the app keeps writing (in WAL mode readers and writers do not block each other);
- from PostgreSQL, every table is read in one REPEATABLE READ transaction, so all of them come from
  the same snapshot; the file's schema is made by the project's migrations and the rows are copied
  in foreign-key order, in batches.
The file is written under a temporary name next to its final one and renamed when complete and
checked, so a failed backup never leaves a partial file behind; an existing file is never overwritten.

A restore reads a temporary copy of the backup, upgraded to the newest schema: the target is at the
newest schema too (every command migrates first), so both sides have the same tables and columns and
an older backup is migrated the same way an older database would be. The target must hold no rows.
Rows are copied and then compared with the backup in one transaction, which is rolled back on any
difference; on PostgreSQL each id sequence is then moved past the restored ids.

The tables are those on SQLModel.metadata, so tables added later are backed up without changes here; all
but the data version, which counts the target's own changes: a restore bumps it, so every server running on
the target drops what it has cached.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from itertools import zip_longest
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    CursorResult,
    Engine,
    Row,
    Table,
    and_,
    bindparam,
    create_engine,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlmodel import SQLModel

import rollout.platform.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from rollout.platform.db import bump_data_version, make_engine
from rollout.platform.errors import RolloutError
from rollout.platform.lengths import too_long
from rollout.platform.models import DATA_VERSION
from rollout.platform.schema import head_revision, known_revisions, upgrade

BATCH = 1000  # rows per read and per multi-row insert: large tables are streamed, never held whole
MOST_DIFFERENCES = 5  # reported per table


class BackupError(RolloutError):
    """A backup or restore refused or failed; nothing was changed."""


def app_tables() -> list[Table]:
    """Every table of the app's data, parents before the tables that refer to them."""
    return [table for table in SQLModel.metadata.sorted_tables if table is not DATA_VERSION]


# --- backup ----------------------------------------------------------------------------------------


Progress = Callable[[str], None]  # told what a backup or restore is doing, with counts, as it goes


def _silent(_: str) -> None:
    pass


def backup(engine: Engine, path: Path, progress: Progress = _silent) -> dict[str, int]:
    """Write a consistent backup of the database to the new file `path`; returns rows per table.
    `progress` is told each step: the copy (table by table from PostgreSQL), then the check."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: a backup never overwrites a file, name a new one")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such folder")
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        if engine.dialect.name == "sqlite":
            progress("copying the database in one snapshot…")
            _copy_sqlite_online(engine, partial)
        else:
            _copy_snapshot(engine, partial, progress)
        progress("checking the backup's integrity…")
        counts = _seal(partial)
        os.replace(partial, path)
    finally:
        _remove_sqlite_file(partial)
    return counts


def _copy_sqlite_online(engine: Engine, partial: Path) -> None:
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(partial)) as target:
            # One step (pages=-1): the whole copy reads one snapshot, whatever commits meanwhile.
            source = raw.driver_connection
            assert source is not None, "a pooled connection has its driver's connection until closed"
            source.backup(target)
    finally:
        raw.close()


def _copy_snapshot(engine: Engine, partial: Path, progress: Progress) -> None:
    with engine.connect() as source:
        source.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with source.begin():
            revision = MigrationContext.configure(source).get_current_revision()
            if revision != head_revision():
                raise BackupError(
                    f"the database is at schema revision {revision}, not {head_revision()}: "
                    "run `rollout init` to upgrade it, then back it up"
                )
            target_engine = make_engine(f"sqlite:///{partial}")
            try:
                upgrade(target_engine)  # the file's schema, made as the source's was: by the migrations
                with target_engine.begin() as target:
                    _copy_tables(source, target, progress)
            finally:
                target_engine.dispose()


def _seal(partial: Path) -> dict[str, int]:
    """Check the finished file and make it one self-contained file (no WAL beside it)."""
    with closing(sqlite3.connect(partial, isolation_level=None)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    engine = create_engine(f"sqlite:///{partial}")
    try:
        with engine.connect() as connection:
            problems = _integrity_problems(connection)
            counts = row_counts(connection)
    finally:
        engine.dispose()
    if problems:
        raise BackupError(f"the backup failed its integrity check: {'; '.join(problems)}")
    return counts


def _remove_sqlite_file(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        leftover.unlink(missing_ok=True)


# --- restore ---------------------------------------------------------------------------------------


def restore(engine: Engine, path: Path, progress: Progress = _silent) -> dict[str, int]:
    """Restore the backup `path` into the empty database of `engine`; returns rows per table.
    `progress` is told each step: reading the file, each table restored (with its rows), the check."""
    with _readable_backup(Path(path), progress) as backup_engine:
        upgrade(engine)  # only once the file is known to be a backup this Rollout can read
        return _restore_rows(backup_engine, engine, path, progress)


def _restore_rows(backup_engine: Engine, engine: Engine, path: Path, progress: Progress) -> dict[str, int]:
    with (
        backup_engine.connect() as source,
        engine.execution_options(rollout_write=True).begin() as target,
    ):
        _refuse_unless_empty(target)
        counts = _copy_tables(source, target, progress)
        _move_sequences_past_restored_ids(target)
        progress(f"checking {sum(counts.values()):,} rows in {len(counts)} tables against the backup…")
        problems = differences(source, target) + _integrity_problems(target)
        if problems:
            raise BackupError(
                f"the restored data differs from {path}, so it was rolled back: {'; '.join(problems)}"
            )
        bump_data_version(target)
    return counts


@contextmanager
def _readable_backup(path: Path, progress: Progress) -> Iterator[Engine]:
    """An engine on a checked copy of the backup, upgraded to the newest schema; the file is left alone."""
    with tempfile.TemporaryDirectory(prefix="rollout-restore-") as folder:
        copy = Path(folder) / "backup.db"
        _copy_backup_file(path, copy)
        progress(f"read {path}; checking it is a backup this Rollout can restore…")
        engine = make_engine(f"sqlite:///{copy}")
        try:
            _check_backup(engine, path)
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def _copy_backup_file(path: Path, copy: Path) -> None:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        # Through SQLite, not a file copy: a database still in WAL mode is read with its WAL.
        with (
            closing(_open_read_only(path)) as source,
            closing(sqlite3.connect(copy)) as target,
        ):
            source.backup(target)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a Rollout backup (not a SQLite database: {error})") from error


def _check_backup(engine: Engine, path: Path) -> None:
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            problems = _integrity_problems(connection)
    except DatabaseError as error:
        raise BackupError(f"{path} is not a Rollout backup ({error.orig})") from error
    if revision is None:
        raise BackupError(f"{path} is not a Rollout backup (it has no schema revision)")
    if revision not in known_revisions():
        raise BackupError(
            f"{path} is at schema revision {revision}, which this version of Rollout does not know "
            f"(its newest is {head_revision()}): restore it with the newer Rollout that made it. "
            "Nothing was changed."
        )
    if problems:
        raise BackupError(f"{path} is damaged: {'; '.join(problems)}. Nothing was changed.")


def _refuse_unless_empty(target: Connection) -> None:
    filled = [table.name for table in app_tables() if _has_rows(target, table)]
    if filled:
        raise BackupError(
            f"the database at {target.engine.url.render_as_string(hide_password=True)} already has data "
            f"(in {', '.join(filled)}): a backup is restored only into an empty database. "
            "Nothing was changed."
        )


def _has_rows(connection: Connection, table: Table) -> bool:
    return connection.execute(select(literal(1)).select_from(table).limit(1)).first() is not None


def _move_sequences_past_restored_ids(target: Connection) -> None:
    """Restored rows keep their ids; PostgreSQL's id sequences must then start after them."""
    if target.dialect.name != "postgresql":
        return  # SQLite takes the next id from the largest one in the table
    for table in app_tables():
        column = table.autoincrement_column
        if column is None:
            continue
        name = target.dialect.identifier_preparer.format_table(table)
        largest = func.max(column)
        target.execute(
            select(func.setval(func.pg_get_serial_sequence(name, column.name), largest)).having(
                largest.is_not(None)
            )
        )


# --- copying ---------------------------------------------------------------------------------------


def _copy_tables(source: Connection, target: Connection, progress: Progress) -> dict[str, int]:
    tables, counts = app_tables(), {}
    for number, table in enumerate(tables, start=1):
        counts[table.name] = _copy_table(source, target, table)
        progress(f"table {number} of {len(tables)}, {table.name}: {counts[table.name]:,} rows")
    return counts


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    # A row may refer to a later row of its own table (content derived from a newer piece): such
    # references are written once every row is in.
    later = {column.name: None for column in _self_references(table)}
    copied = 0
    for batch in _ordered_rows(source, table).partitions():
        _refuse_too_long(table, batch)
        try:
            target.execute(table.insert(), [dict(row._mapping) | later for row in batch])
        except DBAPIError as error:  # its message would show the batch's values: names and emails
            raise BackupError(
                f"table {table.name}: the database refused a row among keys {_key(table, batch[0])} to "
                f"{_key(table, batch[-1])} ({type(error.orig).__name__}); nothing was restored"
            ) from None
        copied += len(batch)
    if later:
        _link_self_references(source, target, table)
    return copied


def _refuse_too_long(table: Table, batch: Sequence[Row]) -> None:
    """A value longer than its column (which SQLite stores and PostgreSQL refuses), named by table,
    row and column; the value itself is not shown."""
    for row in batch:
        for column, length, width in too_long(table, row._mapping):
            raise BackupError(
                f"table {table.name}, row {_key(table, row)}, column {column}: {length:,} characters, "
                f"but the column holds at most {width:,}; shorten it in the source database and back it "
                "up again. Nothing was restored."
            )


def _self_references(table: Table) -> list[Column]:
    return [key.parent for key in table.foreign_keys if key.column.table is table and key.parent.nullable]


def _link_self_references(source: Connection, target: Connection, table: Table) -> None:
    references = _self_references(table)
    keys = list(table.primary_key.columns)
    linked = select(*keys, *references).where(or_(*(column.is_not(None) for column in references)))
    statement = (
        table.update()
        .where(and_(*(column == bindparam(f"key_{column.name}") for column in keys)))
        .values({column.name: bindparam(f"new_{column.name}") for column in references})
    )
    rows = source.execute(linked.order_by(*keys).execution_options(yield_per=BATCH))
    for batch in rows.partitions():
        target.execute(
            statement,
            [
                {f"key_{column.name}": row._mapping[column.name] for column in keys}
                | {f"new_{column.name}": row._mapping[column.name] for column in references}
                for row in batch
            ],
        )


def _ordered_rows(connection: Connection, table: Table) -> CursorResult:
    """The table's rows by primary key, streamed; strings in code-point order on both backends."""
    order = [
        column.collate("C")
        if connection.dialect.name == "postgresql" and column.type.python_type is str
        else column
        for column in table.primary_key.columns
    ]
    return connection.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))


# --- checking --------------------------------------------------------------------------------------


def row_counts(connection: Connection) -> dict[str, int]:
    return {table.name: _count(connection, table) for table in app_tables()}


def _count(connection: Connection, table: Table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def compare(source: Engine | Path | str, target: Engine) -> list[str]:
    """The differences between two databases (or a backup file and a database), table by table.

    Rows are read through the same table definitions on both sides, so values compare as Python
    values (instants, decimals, JSON) whatever each backend stores.
    """
    source_engine = source if isinstance(source, Engine) else _read_only_engine(Path(source))
    try:
        with source_engine.connect() as left, target.connect() as right:
            return differences(left, right)
    finally:
        if source_engine is not source:
            source_engine.dispose()


def _read_only_engine(path: Path) -> Engine:
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    return create_engine("sqlite://", creator=lambda: _open_read_only(path))


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)


def differences(source: Connection, target: Connection) -> list[str]:
    return [problem for table in app_tables() for problem in _table_differences(source, target, table)]


def _table_differences(source: Connection, target: Connection, table: Table) -> list[str]:
    problems = []
    source_count, target_count = _count(source, table), _count(target, table)
    if source_count != target_count:
        problems.append(f"{table.name}: {source_count} rows in the source, {target_count} in the target")
    with (
        closing(_ordered_rows(source, table)) as left_rows,
        closing(_ordered_rows(target, table)) as right_rows,
    ):
        for left, right in zip_longest(left_rows, right_rows):
            if left != right:
                left_key, right_key = _key(table, left), _key(table, right)
                problems.append(f"{table.name}: source row {left_key} differs from target row {right_key}")
                if len(problems) > MOST_DIFFERENCES:
                    break
    return problems


def _key(table: Table, row: Row[Any] | None) -> str:
    if row is None:
        return "(none)"
    return "/".join(str(row._mapping[column.name]) for column in table.primary_key.columns)


def _integrity_problems(connection: Connection) -> list[str]:
    """SQLite's own checks of the file and of every foreign key; PostgreSQL enforces these itself."""
    if connection.dialect.name != "sqlite":
        return []
    problems = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [
        f"{table} row {rowid} refers to a missing {parent}"
        for table, rowid, parent, _ in connection.exec_driver_sql("PRAGMA foreign_key_check")
    ]
    return problems
