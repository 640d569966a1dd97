"""Shared fixtures: a migrated database on SQLite and, when ROLLOUT_TEST_POSTGRES_URL is set, PostgreSQL.

The `engine` fixture is parametrized over both backends, so the whole domain suite runs on each.
In CI (CI=true) a missing PostgreSQL URL is an error, never a skip.

Migrating takes longer than most tests: each session (each pytest-xdist worker) migrates one template per
backend, and every test gets its own copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on
PostgreSQL), so tests share no rows.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

import rollout.metric_providers  # noqa: F401  (registers the gate metrics)
from rollout.cli import main
from rollout.gates.playbook import Playbook, load_playbook
from rollout.platform.db import get_engine, make_engine, write_session
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user

POSTGRES_URL = os.environ.get("ROLLOUT_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
# "gw0", "gw1"… under pytest-xdist: in database names, so parallel workers never meet.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TODAY = date(2026, 11, 26)
ACTOR = "lead@rollout.example"
# Everyone the tests act as; the first is the admin who adds the others.
TEAM = (ACTOR,) + tuple(
    f"{name}@rollout.example"
    for name in [
        "a",
        "b",
        "c",
        "admin",
        "ana",
        "anna",
        "arjun",
        "bert",
        "ceo",
        "cfo",
        "cmo",
        "demo",
        "editor",
        "first",
        "jonas.becker",
        "marketer",
        "other",
        "priya",
        "sales",
        "second",
        "seller",
    ]
)


def require_postgres() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if IN_CI:
        pytest.fail("ROLLOUT_TEST_POSTGRES_URL is not set: in CI the PostgreSQL tests must run")
    pytest.skip("ROLLOUT_TEST_POSTGRES_URL is not set")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'rollout.db'}"


def _postgres_admin() -> Engine:
    return create_engine(require_postgres(), isolation_level="AUTOCOMMIT")


def _create_database(admin: Engine, template: str | None = None) -> str:
    name = f"rollout_t_{WORKER}_{uuid.uuid4().hex[:12]}"
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    return name


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """The URL of a new PostgreSQL database, empty or a copy of `template`, dropped on leaving."""
    admin = _postgres_admin()
    name = _create_database(admin, template)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    """Runs the test on each backend."""
    return request.param


@pytest.fixture
def database_url(backend, request) -> str:
    """An empty database."""
    return request.getfixturevalue(f"{backend}_url")


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()  # no connection left: SQLite folds its WAL into the file, PostgreSQL can copy it


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session, for tests to copy."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """The name of a PostgreSQL database migrated once per session, for tests to copy."""
    with fresh_postgres_database() as url:
        _migrate(url)
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_sqlite_url(sqlite_url, migrated_sqlite_template) -> str:
    shutil.copyfile(migrated_sqlite_template, sqlite_url.removeprefix("sqlite:///"))
    return sqlite_url


@pytest.fixture
def migrated_postgres_url(migrated_postgres_template) -> Iterator[str]:
    with fresh_postgres_database(template=migrated_postgres_template) as url:
        yield url


@pytest.fixture
def bare_engine(backend, request) -> Iterator[Engine]:
    """A migrated, empty database: not even a user."""
    engine = make_engine(request.getfixturevalue(f"migrated_{backend}_url"))
    yield engine
    engine.dispose()


@pytest.fixture
def engine(bare_engine) -> Engine:
    """A migrated database whose only rows are the users the tests act as, all admins (roles are tested
    with users of their own)."""
    seed_team(bare_engine)
    return bare_engine


def seed_team(engine: Engine) -> None:
    with write_session(engine, source="cli") as session:
        for email in TEAM:
            add_user(session, email=email, role="admin", by=ACTOR)


@pytest.fixture
def playbook() -> Playbook:
    return load_playbook()


@pytest.fixture
def cli_database(migrated_sqlite_url, monkeypatch) -> Iterator[str]:
    """For the `rollout` command: ROLLOUT_DATABASE_URL on a new, migrated file with the test team, the
    default playbook (get_engine caches one engine per URL: disposed after)."""
    monkeypatch.setenv("ROLLOUT_DATABASE_URL", migrated_sqlite_url)
    monkeypatch.delenv("ROLLOUT_PLAYBOOK", raising=False)
    seed_team(get_engine(migrated_sqlite_url))
    yield migrated_sqlite_url
    get_engine(migrated_sqlite_url).dispose()


@pytest.fixture
def run(capsys):
    """`rollout ARGS…` in-process: (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
