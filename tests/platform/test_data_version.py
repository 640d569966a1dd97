"""The data version: every transaction that changes data counts once, whatever made it; reads never do."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from rollout.gates import status as gates
from rollout.platform.backup import app_tables, backup, restore
from rollout.platform.countries import add_country
from rollout.platform.db import data_version, get_engine, make_engine, read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import DATA_VERSION, Country
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user
from tests.conftest import ACTOR, TODAY
from tests.factories import add, decide
from tests.sales_factories import HUBSPOT_FILE, deal, import_file, move, signal


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 1))
    return "ES"


def counted(engine, write) -> int:
    """How many changes `write()` counted."""
    before = data_version(engine)
    write()
    return data_version(engine) - before


def test_each_kind_of_write_counts_once(engine, spain, playbook):
    assert counted(engine, lambda: add(engine, "PT", date(2026, 1, 1))) == 1
    assert counted(engine, lambda: decide(engine, playbook, "ES", "extend", TODAY)) == 1
    assert counted(engine, lambda: signal(engine, "ES", TODAY)) == 1
    opportunity = deal(engine, "ES")
    assert counted(engine, lambda: move(engine, opportunity, TODAY, account="Acme Iberia")) == 1


def test_an_import_counts_once_for_all_its_rows(engine, spain):
    content = HUBSPOT_FILE.read_bytes()
    assert counted(engine, lambda: import_file(engine, "ES", content, filename="hubspot_deals.csv")) == 1
    # The same file again changes nothing, and counts nothing.
    assert counted(engine, lambda: import_file(engine, "ES", content, filename="hubspot_deals.csv")) == 0


def test_reads_and_refused_writes_count_nothing(engine, spain, playbook):
    def reads():
        with read_session(engine) as session:
            session.exec(select(Country)).all()
            gates.gate_status(session, "ES", today=TODAY, playbook=playbook)

    def nothing_written():
        with write_session(engine) as session:
            session.exec(select(Country)).all()

    def refused():
        with pytest.raises(RolloutError), write_session(engine) as session:
            add_user(session, email="not an email", role="admin", by=ACTOR)

    def rolled_back():
        with pytest.raises(ZeroDivisionError), write_session(engine) as session:
            add_country(session, code="FR", start_date=TODAY, by=ACTOR)
            session.flush()
            raise ZeroDivisionError  # after the change was flushed and recorded

    for write in (reads, nothing_written, refused, rolled_back):
        assert counted(engine, write) == 0, write.__name__


def test_the_command_line_counts_its_writes_not_its_reads(cli_database, run):
    engine = get_engine(cli_database)
    by = ("--by", "ceo@rollout.example")
    assert counted(engine, lambda: run("countries", "add", "es", "--start", "2026-01-10", *by)) == 1
    assert counted(engine, lambda: run("decide", "ES", "extend", "--why", "slow", *by)) == 1
    assert counted(engine, lambda: run("gates", "--json")) == 0


def test_a_restore_counts_on_its_target_and_backups_leave_the_version_out(engine, spain, tmp_path):
    assert DATA_VERSION not in app_tables()
    backup(engine, tmp_path / "backup.db")
    target = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        upgrade(target)
        before = data_version(target)
        restore(target, tmp_path / "backup.db")  # the version row is no data: the target counts as empty
        assert data_version(target) == before + 1
    finally:
        target.dispose()
