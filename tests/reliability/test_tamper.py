"""The tamper statements: what a person with SQL access to the database tries on the trail.

On SQLite they are run on a plain sqlite3 connection, as the sqlite3 shell would (none of the app's
pragmas); on PostgreSQL as the tables' owner. Every statement is refused and every row is unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from rollout.gates.decisions import mark_check, record_decision
from rollout.marketing.talent import add_hire
from rollout.platform.countries import add_country
from rollout.platform.db import write_session
from rollout.sales.pipeline import create_opportunity
from tests.conftest import ACTOR, TODAY
from tests.reliability.conftest import figure

TRAIL = ("decision", "checkmark", "stagechange", "hirestagechange", "audit_entry")  # append-only
# What each forged row changes: the decision's outcome, the audit entry's actor, ...
FORGED = {
    "decision": ("outcome", "'stop'"),
    "checkmark": ("marked_by", "'forger@example.com'"),
    "stagechange": ("recorded_by", "'forger@example.com'"),
    "hirestagechange": ("recorded_by", "'forger@example.com'"),
    "audit_entry": ("actor", "'forger@example.com'"),
}


def a_row_in_every_trail_table(engine: Engine) -> None:
    """Spain with a first decision (a go), a check mark, a deal's stage, a hire's stage, their audit."""
    with write_session(engine) as session:
        add_country(session, code="ES", start_date=TODAY - timedelta(days=100), by=ACTOR)
        create_opportunity(
            session, code="ES", values={"account": "Acme", "amount": "1"}, by=ACTOR, today=TODAY
        )
        add_hire(session, code="ES", role="Marketer", candidate="Ana", by=ACTOR, native_languages=["es"])
        mark_check(session, code="ES", criterion_key="market_memo", checked=True, by=ACTOR, today=TODAY)
    with write_session(engine) as session:
        record_decision(session, code="ES", outcome="go", by=ACTOR, rationale="strong start", today=TODAY)


def columns(engine: Engine, table: str) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys())


def forged_copy(engine: Engine, table: str, *, keep_id: bool = True) -> str:
    """SELECT the first row of `table` with one column forged (without its id: a collision on the
    table's other unique key)."""
    column, value = FORGED[table]
    names = [name for name in columns(engine, table) if keep_id or name != "id"]
    chosen = ", ".join(value if name == column else name for name in names)
    return f"({', '.join(names)}) SELECT {chosen} FROM {table} WHERE id = (SELECT min(id) FROM {table})"


def statements(engine: Engine) -> list[str]:
    found = []
    for table in TRAIL:
        column, value = FORGED[table]
        found += [
            f"UPDATE {table} SET {column} = {value}",
            f"DELETE FROM {table}",
            f"INSERT INTO {table} {forged_copy(engine, table)} "
            f"ON CONFLICT (id) DO UPDATE SET {column} = {value}",
        ]
        if engine.dialect.name == "sqlite":
            found += [f"INSERT OR REPLACE INTO {table} {forged_copy(engine, table)}"]
            found += [f"REPLACE INTO {table} {forged_copy(engine, table)}"]
        else:
            found += [f"TRUNCATE {table}", f"TRUNCATE {table} RESTART IDENTITY CASCADE"]
    if engine.dialect.name == "sqlite":
        # Spain's first decision replaced through its other unique key, (country, sequence).
        found += [f"INSERT OR REPLACE INTO decision {forged_copy(engine, 'decision', keep_id=False)}"]
    else:
        found += [f"TRUNCATE {', '.join(TRAIL)}", "TRUNCATE country CASCADE"]
    return found


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
            for table in TRAIL
        }


def tamperer(engine: Engine) -> Callable[[str], None]:
    """Run one statement in its own transaction, outside the app: raises when it is refused."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database

        def run_sqlite(statement: str) -> None:
            connection = sqlite3.connect(path, isolation_level=None)
            try:
                connection.execute("BEGIN")
                connection.execute(statement)
                connection.execute("COMMIT")
            finally:
                connection.close()

        return run_sqlite

    def run_postgres(statement: str) -> None:
        with engine.begin() as connection:
            connection.execute(text(statement))

    return run_postgres


def test_every_tamper_statement_is_refused_and_the_trail_is_unchanged(engine):
    a_row_in_every_trail_table(engine)
    before, tried, refused, passed = snapshot(engine), statements(engine), 0, []
    assert all(before.values())  # every table has rows to tamper with
    run = tamperer(engine)
    for statement in tried:
        try:
            run(statement)
            passed.append(statement)
        except (sqlite3.IntegrityError, DBAPIError) as error:
            # PostgreSQL refuses a TRUNCATE of a table other sealed tables point at (decisions: their
            # conditions) before its trigger runs; the CASCADE forms reach the trigger.
            assert "append-only" in str(error) or "cannot truncate a table referenced" in str(error), (
                statement,
                error,
            )
            refused += 1
    after = snapshot(engine)
    changed = [table for table in TRAIL if after[table] != before[table]]
    figure(
        f"{engine.dialect.name}: tamper statements: {len(tried)} tried, {refused} refused, "
        f"{len(passed)} passed, {len(changed)} tables changed"
    )
    assert (passed, changed) == ([], [])
