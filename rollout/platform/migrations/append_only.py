"""Database triggers that make history tables append-only: UPDATE and DELETE are refused by the database."""

from alembic import op


def forbid_update_and_delete(table: str) -> None:
    """History is never edited: the database itself refuses UPDATE and DELETE on `table`."""
    message = f"{table} rows are append-only: record a new one instead"
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )


def allow_update_and_delete(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        return
    op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    op.execute(f"DROP FUNCTION {table}_append_only()")


def forbid_replace_and_truncate(table: str, unique_keys: tuple[tuple[str, ...], ...]) -> None:
    """Close the two ways around the UPDATE and DELETE triggers. `unique_keys`: the table's primary key
    and unique constraints, the columns a new row must not share with a stored one.

    SQLite's INSERT OR REPLACE deletes a conflicting row without firing delete triggers (unless
    recursive_triggers is on, which is per connection): a BEFORE INSERT trigger refuses any insert that
    would collide, so REPLACE has nothing to delete. PostgreSQL's TRUNCATE fires no row triggers: a
    statement trigger refuses it."""
    if op.get_bind().dialect.name == "sqlite":
        collides = " OR ".join(
            "EXISTS (SELECT 1 FROM {t} WHERE {match})".format(
                t=table, match=" AND ".join(f"{column} = NEW.{column}" for column in key)
            )
            for key in unique_keys
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {collides} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: a stored row is never replaced'); END"
        )
        return
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
    )


def allow_replace_and_truncate(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        return
    op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
