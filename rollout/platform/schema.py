"""Creating and upgrading the database schema with Alembic, on start of the app and the CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"


class DatabaseTooNew(RuntimeError):
    """The database was upgraded by a newer Rollout than this one."""


class MigrationNotAllowed(DatabaseTooNew):
    """The database is behind this Rollout and the role connected may not migrate it (an app role that
    owns nothing). A DatabaseTooNew, so every entry point refuses to start with its message."""


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no Alembic revisions in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_not_newer(engine: Engine) -> None:
    revision = current_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise DatabaseTooNew(
            f"The database is at schema revision {revision}, which this version of Rollout does not "
            f"know (its newest is {head_revision()}). It was upgraded by a newer Rollout: run that "
            "version, or upgrade this one. Nothing was changed."
        )


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; refuse a database newer than the code."""
    check_not_newer(engine)
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise MigrationNotAllowed(
            f"The database is at schema revision {current_revision(engine)} and this Rollout needs "
            f"{head_revision()}, but {engine.url.username} may not change the schema: run `rollout init` "
            "as the database's owner first. Nothing was changed."
        ) from error
