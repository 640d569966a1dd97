"""PostgreSQL deployed with an app role that owns nothing (README, "PostgreSQL for a team"): the
migrations run as the owner; the app, as a role granted data rights only, makes every kind of write
and is refused DDL and TRUNCATE.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from rollout.gates.decisions import record_decision
from rollout.platform.countries import add_country
from rollout.platform.db import make_engine, read_session, write_session
from rollout.platform.models import Decision, Opportunity, Signal
from rollout.platform.schema import (
    MigrationNotAllowed,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from rollout.sales.pipeline import log_signal, update_opportunity
from tests.conftest import ACTOR, TODAY, fresh_postgres_database, require_postgres, seed_team
from tests.reliability.conftest import figure
from tests.sales_factories import import_file

pytestmark = pytest.mark.postgres
APPEND_ONLY = ("decision", "checkmark", "stagechange", "hirestagechange", "audit_entry")


def grants(owner: str, app: str) -> list[str]:
    """The README's statements, run by the owner after `rollout init`."""
    return [
        f"GRANT USAGE ON SCHEMA public TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"REVOKE UPDATE, DELETE ON {', '.join(APPEND_ONLY)} FROM {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


@contextmanager
def roles() -> Iterator[tuple[str, str]]:
    """An owner and an app role (login, no superuser), dropped on leaving."""
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"rollout_owner_{suffix}", f"rollout_app_{suffix}"
    server = create_engine(require_postgres(), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for role in (owner, app):
            connection.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    try:
        yield owner, app
    finally:
        with server.connect() as connection:
            for role in (app, owner):
                connection.execute(text(f"DROP ROLE IF EXISTS {role}"))
        server.dispose()


def hand_over(url: str, owner: str) -> None:
    """Make `owner` the database's owner (on PostgreSQL 15 that owns its public schema too)."""
    superuser = create_engine(url, isolation_level="AUTOCOMMIT")
    with superuser.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.execute(text(f'ALTER DATABASE "{name}" OWNER TO {owner}'))
    superuser.dispose()


def as_role(url: str, role: str) -> Engine:
    return make_engine(create_engine(url).url.set(username=role).render_as_string(hide_password=False))


def refused(engine: Engine, statement: str) -> str:
    with pytest.raises(DBAPIError) as error, engine.begin() as connection:
        connection.execute(text(statement))
    return str(error.value.orig)


def test_the_app_writes_as_a_role_that_owns_nothing_and_is_refused_ddl_and_truncate():
    with roles() as (owner, app), fresh_postgres_database() as url:
        hand_over(url, owner)
        owning = as_role(url, owner)
        upgrade(owning)  # `rollout init` as the owner
        with owning.begin() as connection:
            for statement in grants(owner, app):
                connection.execute(text(statement))
        seed_team(owning)
        owning.dispose()

        engine = as_role(url, app)
        upgrade(engine)  # what the app and every command do on start: nothing to do, no DDL needed
        assert current_revision(engine) == head_revision()
        with write_session(engine) as session:
            add_country(session, code="ES", start_date=TODAY - timedelta(days=30), by=ACTOR)
        with write_session(engine) as session:
            log_signal(session, code="ES", kind="meeting", occurred_on=TODAY, by=ACTOR, today=TODAY)
        header = "Record ID,Deal Name,Associated Company,Amount,Deal Stage,Create Date,Currency\n"
        row = "D1,Deal 1,Acme,10.00,Contract sent,01/15/2026,EUR\n"
        import_file(engine, "ES", f"{header}{row}".encode())  # COPY
        with read_session(engine) as session:
            deal = session.exec(select(Opportunity)).one()
        with write_session(engine) as session:
            update_opportunity(
                session,
                opportunity_id=deal.id,
                changes={"amount": 20},
                by=ACTOR,
                expected_version=1,
                today=TODAY,
            )
        with write_session(engine) as session:
            record_decision(session, code="ES", outcome="extend", by=ACTOR, rationale="slow", today=TODAY)
        with read_session(engine) as session:
            written = [len(session.exec(select(model)).all()) for model in (Signal, Opportunity, Decision)]
        assert written == [1, 1, 1]

        refusals = {
            statement: refused(engine, statement)
            for statement in [
                "CREATE TABLE forged (id integer)",
                "DROP TABLE decision",
                "ALTER TABLE decision DISABLE TRIGGER decision_append_only",
                "ALTER TABLE audit_entry ADD COLUMN note text",
                "DROP TRIGGER audit_entry_no_truncate ON audit_entry",
                *(f"TRUNCATE {table}" for table in APPEND_ONLY),
                "TRUNCATE signal",
                "DELETE FROM audit_entry",
                "UPDATE decision SET outcome = 'stop'",
            ]
        }
        for_want_of_rights = [
            statement
            for statement, message in refusals.items()
            if "permission denied" in message or "must be owner" in message
        ]
        figure(
            f"postgresql: app role without DDL rights: 5 kinds of write made; {len(refusals)} DDL, TRUNCATE "
            f"and trail statements tried, {len(for_want_of_rights)} refused for want of rights"
        )
        assert for_want_of_rights == list(refusals), refusals
        engine.dispose()


def test_an_app_role_on_a_database_behind_the_code_is_told_to_migrate_as_the_owner():
    with roles() as (owner, app), fresh_postgres_database() as url:
        hand_over(url, owner)
        owning = as_role(url, owner)
        with owning.begin() as connection:  # migrated by an older Rollout: one revision behind
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "0007")
            for statement in grants(owner, app):
                connection.execute(text(statement))
        owning.dispose()
        engine = as_role(url, app)
        with pytest.raises(
            MigrationNotAllowed, match=f"{app} may not change the schema: run `rollout init` as"
        ):
            upgrade(engine)
        assert current_revision(engine) == "0007"
        engine.dispose()
