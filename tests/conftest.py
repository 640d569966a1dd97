"""Shared fixtures: a migrated database on SQLite and, when ROLLOUT_TEST_POSTGRES_URL is set, PostgreSQL.

The `engine` fixture is parametrized over both backends, so the whole domain suite runs on each.
In CI (CI=true) a missing PostgreSQL URL is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

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


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped on leaving."""
    server_url = require_postgres()
    name = f"rollout_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def bare_engine(database_url) -> Iterator[Engine]:
    """A migrated, empty database: not even a user."""
    engine = make_engine(database_url)
    upgrade(engine)
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
def cli_database(sqlite_url, monkeypatch) -> Iterator[str]:
    """For the `rollout` command: ROLLOUT_DATABASE_URL on a new, migrated file with the test team, the
    default playbook (get_engine caches one engine per URL: disposed after)."""
    monkeypatch.setenv("ROLLOUT_DATABASE_URL", sqlite_url)
    monkeypatch.delenv("ROLLOUT_PLAYBOOK", raising=False)
    upgrade(get_engine(sqlite_url))
    seed_team(get_engine(sqlite_url))
    yield sqlite_url
    get_engine(sqlite_url).dispose()


@pytest.fixture
def run(capsys):
    """`rollout ARGS…` in-process: (exit code, stdout, stderr)."""

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
