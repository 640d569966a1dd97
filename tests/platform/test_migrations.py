"""Alembic migrations: from empty to head, idempotent, matching the models, refusing a newer database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, inspect, text
from sqlmodel import SQLModel

import rollout.platform.models  # noqa: F401  (the tables on SQLModel.metadata)
from rollout.platform.db import make_engine
from rollout.platform.schema import DatabaseTooNew, alembic_config, current_revision, head_revision, upgrade

TABLES = {"alembic_version", *SQLModel.metadata.tables}


@pytest.fixture
def empty(database_url) -> Iterator[Engine]:
    """An engine on an empty database: no tables, no revision."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def schema_snapshot(engine: Engine) -> dict[str, object]:
    inspector = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(i["name"] for i in inspector.get_indexes(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def stamp(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision})


def test_revisions_form_one_line_from_the_initial_one():
    chain = [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    assert chain[-1] == "0001" and chain[0] == head_revision()
    assert chain == sorted(chain, reverse=True)  # numbered in order, no branches


def test_upgrade_from_empty_reaches_head(empty):
    assert current_revision(empty) is None
    assert tables(empty) == set()
    upgrade(empty)
    assert current_revision(empty) == head_revision()
    assert tables(empty) == TABLES


def test_upgrading_twice_is_a_no_op(empty):
    upgrade(empty)
    before = schema_snapshot(empty)
    with empty.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO country (code, languages, currency, time_zones, first_week_day, start_date,"
                " created_at, created_by) VALUES ('ES', '[]', 'EUR', '[]', 0, '2026-01-10',"
                " '2026-01-10 12:00:00', 'lead@rollout.example')"
            )
        )
    upgrade(empty)
    assert current_revision(empty) == head_revision()
    assert schema_snapshot(empty) == before
    with empty.connect() as connection:
        assert connection.execute(text("SELECT code FROM country")).scalars().all() == ["ES"]


def test_migrated_schema_matches_the_models(empty):
    upgrade(empty)
    with empty.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    # No false positives to filter out: the migration declares the same types (AutoString, UTCDateTime,
    # JSON), indexes and the named unique constraint as the models, so both backends compare clean.
    assert differences == []


def test_schema_comparison_would_notice_a_missing_migration(empty):
    upgrade(empty)
    metadata = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(metadata)
    Table("market_note", metadata, Column("id", Integer, primary_key=True))
    metadata.tables["country"].append_column(Column("region", String(20)))
    with empty.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert sorted(diff[0] for diff in differences) == ["add_column", "add_table"]


def test_append_only_triggers_are_installed(empty):
    upgrade(empty)
    tables = ("decision", "checkmark", "stagechange", "hirestagechange", "audit_entry")
    tables += ("gate_condition", "condition_clearance", "recommendation", "review_decision")
    tables += ("dealimport", "dealimportchange")
    if empty.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        actions = ("update", "delete", "replace")
        expected = {f"{table}_no_{action}" for table in tables for action in actions}
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        expected = {f"{table}_{name}" for table in tables for name in ("append_only", "no_truncate")}
    with empty.connect() as connection:
        assert set(connection.execute(text(query)).scalars()) == expected


def test_unknown_revision_is_refused_and_nothing_changes(empty):
    upgrade(empty)
    stamp(empty, "ffff")
    before = schema_snapshot(empty)
    with pytest.raises(DatabaseTooNew) as error:
        upgrade(empty)
    message = str(error.value)
    assert "schema revision ffff" in message
    assert f"its newest is {head_revision()}" in message
    assert "Nothing was changed" in message
    assert current_revision(empty) == "ffff"
    assert schema_snapshot(empty) == before


def test_unknown_revision_on_an_otherwise_empty_database_creates_nothing(empty):
    with empty.begin() as connection:
        connection.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        connection.execute(text("INSERT INTO alembic_version VALUES ('ffff')"))
    with pytest.raises(DatabaseTooNew, match="ffff"):
        upgrade(empty)
    assert tables(empty) == {"alembic_version"}


def upgrade_to(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_main_zone_migration_fills_stored_countries_from_the_rule(empty):
    upgrade_to(empty, "0009_sealed_trail")
    zones = {
        "BR": ["America/Noronha", "America/Sao_Paulo", "America/Manaus"],
        "IN": ["Asia/Kolkata"],
        "AQ": [],
    }
    with empty.begin() as connection:
        for code, country_zones in zones.items():
            connection.execute(
                text(
                    "INSERT INTO country (code, languages, currency, time_zones, first_week_day, start_date,"
                    " created_at, created_by) VALUES (:code, '[]', 'EUR', :zones, 0, '2026-01-10',"
                    " '2026-01-10 12:00:00', 'lead@rollout.example')"
                ),
                {"code": code, "zones": json.dumps(country_zones)},
            )
    upgrade(empty)
    with empty.connect() as connection:
        stored = dict(connection.execute(text("SELECT code, main_time_zone FROM country")).all())
        kept = dict(connection.execute(text("SELECT code, time_zones FROM country")).all())
    assert stored == {"BR": "America/Sao_Paulo", "IN": "Asia/Kolkata", "AQ": ""}
    assert {code: json.loads(z) if isinstance(z, str) else z for code, z in kept.items()} == zones


DEAL_ROW = (
    "INSERT INTO opportunity (id, country_code, source, crm_id, name, account, amount, currency, stage,"
    " created_on, owner, lost_reason, updated_at, updated_by, version) VALUES (:id, 'ES', :source, :crm_id,"
    " '', 'Acme', 100, 'EUR', 'won', '2026-02-01', '', '', '2026-02-01 12:00:00', 'lead@rollout.example', 1)"
)


def test_crm_ids_per_source_migration_keeps_every_deal_and_mapping(empty):
    upgrade_to(empty, "0012_crm_close_date")
    with empty.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO country (code, languages, currency, time_zones, first_week_day, start_date,"
                " created_at, created_by, main_time_zone) VALUES ('ES', '[]', 'EUR', '[]', 0, '2026-01-10',"
                " '2026-01-10 12:00:00', 'lead@rollout.example', 'Europe/Madrid')"
            )
        )
        for deal_id, source in ((1, "hubspot"), (2, "salesforce")):
            connection.execute(text(DEAL_ROW), {"id": deal_id, "source": source, "crm_id": f"id-{deal_id}"})
        connection.execute(
            text(
                "INSERT INTO importmapping (name, columns, updated_at, updated_by, version) VALUES"
                " ('Pipedrive', '{\"crm_id\": \"Deal #\"}', '2026-02-01 12:00:00', 'lead@rollout.example', 1)"
            )
        )
    upgrade(empty)
    with empty.begin() as connection:
        kept = connection.execute(text("SELECT id, source, crm_id FROM opportunity ORDER BY id")).all()
        assert [tuple(row) for row in kept] == [(1, "hubspot", "id-1"), (2, "salesforce", "id-2")]
        layout, stages = connection.execute(text("SELECT format, stages FROM importmapping")).one()
        assert (layout, json.loads(stages) if isinstance(stages, str) else stages) == ("mapped", {})
        # The same CRM id in another source is a deal of its own now.
        connection.execute(text(DEAL_ROW), {"id": 3, "source": "hubspot", "crm_id": "id-2"})
