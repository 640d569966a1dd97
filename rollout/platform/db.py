"""One engine per process and short-lived sessions.

SQLite (the zero-setup default) runs in WAL mode with foreign keys on and a busy timeout; write
transactions start with BEGIN IMMEDIATE so two writers queue instead of failing half-way.
ROLLOUT_DATABASE_URL selects another database, e.g. postgresql+psycopg://user@host/dbname.

Every transaction that changes data bumps the data version (models.DATA_VERSION) as it commits, whichever
process made it: the app's servers read it once per rerun to know when their cached reads are stale.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from rollout.platform import (
    access,
    audit,
    lengths,  # noqa: F401  (registers the length check on every flush)
    locking,
    settings,
)
from rollout.platform.models import DATA_VERSION

DEFAULT_SQLITE_PATH = Path("rollout.db")  # in the folder the app or CLI runs from
# How long a SQLite write waits for another writer (an import holds the database while it writes) before
# it is refused with locking.Busy.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def database_url() -> str:
    return settings.current().database_url or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get("rollout_write") else ""
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


@cache
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: database_url())."""
    return make_engine(url or database_url())


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def write_session(engine: Engine, source: str = "ui") -> Iterator[Session]:
    """A session whose work commits as one transaction, or not at all, with its audit trail.

    A write that waited too long for another writer raises `locking.Busy` (a RolloutError).
    `source` (ui, import, cli, demo, local) is recorded with every change; the acting user is named by
    `rollout.platform.access.authorize`, which every write function calls first. On an engine marked
    read-only (an admin viewing the app as someone, `access.read_only`) it is refused before anything runs.
    """
    access.refuse_if_read_only(engine)
    if source not in audit.SOURCES:
        raise ValueError(f"unknown source {source!r}")
    # Objects stay readable after the commit, so callers can report what was written.
    with Session(engine.execution_options(rollout_write=True), expire_on_commit=False) as session:
        session.info["source"] = source
        try:
            yield session
            session.commit()
        except DBAPIError as error:
            session.rollback()
            if (busy := locking.busy_error(error)) is not None:
                raise busy from error  # said in words; the form keeps what was typed
            raise
        except BaseException:
            session.rollback()
            raise


def data_version(engine: Engine) -> int:
    """How many transactions have changed data so far: one tiny query."""
    with engine.connect() as connection:
        return connection.execute(select(DATA_VERSION.c.version)).scalar_one()


def bump_data_version(connection: Connection) -> None:
    """Count one more change, in the transaction making it (so the count and the data commit together)."""
    connection.execute(update(DATA_VERSION).values(version=DATA_VERSION.c.version + 1))


@event.listens_for(OrmSession, "before_commit")
def _bump_when_data_changed(session: OrmSession) -> None:
    # Only write sessions carry a source. Bumped last: on PostgreSQL the row stays locked until the commit,
    # so bumping early would queue every other writer behind a long import.
    if "source" not in session.info or session.in_nested_transaction():
        return
    session.flush()  # the commit's own flush comes after this hook: its changes must count too
    if audit.changed_data(session):
        bump_data_version(session.connection())


@event.listens_for(OrmSession, "after_rollback")
def _forget_rolled_back_changes(session: OrmSession) -> None:
    audit.changed_data(session)  # asking clears it: what was rolled back changed nothing
