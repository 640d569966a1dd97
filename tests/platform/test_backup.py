"""Backups to a SQLite file and restores from one: between both backends, under concurrent writes, refused
where they would lose or mix data, and through the command line.

The source is the parametrised `engine` (SQLite or PostgreSQL); the restore target is a second empty
database of either kind, so every path is covered: SQLite→SQLite, SQLite→PostgreSQL (a team outgrowing
one machine), PostgreSQL→SQLite and PostgreSQL→PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, Row, create_engine, delete, func, inspect, select, text, update

from rollout.cli import main
from rollout.demo import load_demo
from rollout.platform import backup as backup_module
from rollout.platform.backup import BackupError, app_tables, backup, compare, restore
from rollout.platform.db import get_engine, make_engine, read_session, write_session
from rollout.platform.models import ContentItem, Opportunity, Signal
from rollout.platform.schema import alembic_config, head_revision, upgrade
from rollout.sales.pipeline import create_opportunity, log_signal
from tests.conftest import ACTOR, TODAY, fresh_postgres_database, seed_team
from tests.content_factories import edit, item
from tests.factories import add, count

WRITERS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request, tmp_path) -> Iterator[Engine]:
    """A second, empty database without even a schema, to restore into."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'target.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def demo(engine, playbook) -> Engine:
    """The source: the demo's eight markets, rows in every table but two."""
    load_demo(engine, by=ACTOR, today=TODAY, playbook=playbook)
    return engine


@pytest.fixture
def few_rows(engine) -> Engine:
    """A smaller source, for what the demo's size adds nothing to: a country, three signals, a deal."""
    add(engine, "ES", TODAY)
    for _ in range(3):
        new_signal(engine)
    new_deal(engine, "Primera SL")
    return engine


@pytest.fixture
def backup_file(tmp_path) -> Path:
    """Where to write the backup: a folder of its own, so what else lands there shows."""
    (tmp_path / "backups").mkdir()
    return tmp_path / "backups" / "backup.db"


def sqlite_checks(path: Path) -> tuple[str, list]:
    """(PRAGMA integrity_check, PRAGMA foreign_key_check) of a SQLite file."""
    with closing(sqlite3.connect(path)) as connection:
        return (
            connection.execute("PRAGMA integrity_check").fetchone()[0],
            connection.execute("PRAGMA foreign_key_check").fetchall(),
        )


def file_engine(path: Path) -> Engine:
    """A plain engine on a backup file (make_engine would switch it to WAL)."""
    return create_engine(f"sqlite:///{path}")


def rows_by_key(engine: Engine) -> dict[str, dict[tuple, Row]]:
    """Every row of every table, as Python values, by primary key."""
    with engine.connect() as connection:
        return {
            table.name: {
                tuple(row._mapping[column.name] for column in table.primary_key.columns): row
                for row in connection.execute(select(table))
            }
            for table in app_tables()
        }


def tables(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def counts(engine: Engine) -> dict[str, int]:
    return {table: len(rows) for table, rows in rows_by_key(engine).items()}


def new_signal(engine: Engine, code: str = "ES") -> int:
    with write_session(engine) as session:
        return log_signal(session, code=code, kind="meeting", occurred_on=TODAY, by=ACTOR, today=TODAY).id


def new_deal(engine: Engine, account: str, code: str = "ES") -> int:
    """An opportunity and its first stage change, written in one transaction with a signal."""
    with write_session(engine) as session:
        log_signal(
            session, code=code, kind="inbound_lead", occurred_on=TODAY, by=ACTOR, account=account, today=TODAY
        )
        return create_opportunity(
            session, code=code, values={"account": account, "amount": "1000.50"}, by=ACTOR, today=TODAY
        ).id


# --- round trips -----------------------------------------------------------------------------------


def test_backup_and_restore_keep_every_row_on_every_path(demo, target, backup_file):
    taken = backup(demo, backup_file)
    restored = restore(target, backup_file)

    assert taken == restored == counts(demo)
    assert sum(taken.values()) > 2000 and sum(1 for count in taken.values() if count) >= 12
    assert sqlite_checks(backup_file) == ("ok", [])
    assert compare(backup_file, target) == []
    assert compare(demo, target) == []
    assert rows_by_key(target) == rows_by_key(demo)
    if target.dialect.name == "sqlite":
        assert sqlite_checks(Path(target.url.database)) == ("ok", [])


def test_new_rows_after_a_restore_take_fresh_ids(demo, target, backup_file):
    """On PostgreSQL the id sequences are moved past the restored ids, so inserts do not collide."""
    backup(demo, backup_file)
    restore(target, backup_file)
    with read_session(target) as session:
        top_signal = session.exec(select(func.max(Signal.id))).one()[0]
        top_deal = session.exec(select(func.max(Opportunity.id))).one()[0]

    assert new_signal(target) == top_signal + 1
    assert new_deal(target, "Nueva SL") == top_deal + 1
    assert counts(target)["stagechange"] == counts(demo)["stagechange"] + 1


def test_a_row_may_refer_to_a_later_row_of_its_own_table(engine, target, backup_file):
    """Content derived from a newer piece: the reference is written once both rows are in."""
    older = item(engine, "Guide")
    newer = item(engine, "Original study")
    edit(engine, older, parent_id=newer)
    backup(engine, backup_file)
    restore(target, backup_file)

    with read_session(target) as session:
        assert session.get(ContentItem, older).parent_id == newer
    assert compare(engine, target) == []


def test_an_older_backup_is_migrated_on_restore(engine, target, backup_file):
    """A backup written before the newest revision is upgraded, like an older database would be."""
    add(engine, "ES", TODAY)
    backup(engine, backup_file)
    # Take the file back to revision 0003 with the migrations' own downgrades.
    old = create_engine(f"sqlite:///{backup_file}")
    with old.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    old.dispose()
    restore(target, backup_file)

    restored = counts(target)
    # What 0003 had comes back; users and the audit trail came after it, so there are none.
    assert (restored["country"], restored["app_user"], restored["audit_entry"]) == (1, 0, 0)
    with engine.connect() as source, target.connect() as copy:
        query = text("SELECT code, created_by FROM country")
        assert copy.execute(query).all() == source.execute(query).all()
    with target.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


# --- consistency under concurrent writes -----------------------------------------------------------


class Writers:
    """Threads that each keep writing deals (opportunity + stage change + signal in one transaction)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stop = threading.Event()
        self.written = [0] * WRITERS
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._write, args=(number,)) for number in range(WRITERS)]

    def _write(self, number: int) -> None:
        try:
            while not self.stop.is_set():
                new_deal(self.engine, f"writer {number} deal {self.written[number]}")
                self.written[number] += 1
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)

    def total(self) -> int:
        return sum(self.written)

    def wait_for(self, total: int) -> None:
        while self.total() < total and not self.errors:
            threading.Event().wait(0.005)

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_a_backup_taken_under_concurrent_writes_is_one_consistent_moment(demo, backup_file, tmp_path):
    with Writers(demo) as writers:
        writers.wait_for(2 * WRITERS)
        before = writers.total()
        taken = backup(demo, backup_file)
        during = writers.total() - before
        writers.wait_for(writers.total() + 2 * WRITERS)
    assert writers.errors == []
    print(
        f"\n{demo.dialect.name}: {before} deals written before the backup, {during} while it ran, "
        f"{writers.total()} in all"
    )

    backup_engine = file_engine(backup_file)
    backed_up, final = rows_by_key(backup_engine), rows_by_key(demo)
    backup_engine.dispose()
    deals = sum(1 for row in backed_up["opportunity"].values() if row.account.startswith("writer "))
    leads = sum(1 for row in backed_up["signal"].values() if row.account.startswith("writer "))
    assert sqlite_checks(backup_file) == ("ok", [])
    # Each deal's three rows were committed together: the backup holds all three or none of them.
    assert before <= deals < writers.total()
    assert leads == deals
    assert len(backed_up["stagechange"]) == counts(demo)["stagechange"] - (writers.total() - deals)
    # Nothing in the backup that the source does not hold, row for row; only later rows missing.
    for table, rows in backed_up.items():
        assert rows.items() <= final[table].items(), table
    assert taken == {table: len(rows) for table, rows in backed_up.items()}

    restored = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(restored, backup_file)
    assert compare(backup_file, restored) == []
    restored.dispose()


# --- refusals ---------------------------------------------------------------------------------------


def test_restore_refuses_a_database_with_data_and_changes_nothing(few_rows, target, backup_file):
    backup(few_rows, backup_file)
    upgrade(target)
    seed_team(target)
    add(target, "FR", TODAY)
    new_signal(target, "FR")
    before = rows_by_key(target)

    tables = r"app_user, audit_entry, country, signal"
    with pytest.raises(BackupError, match=rf"already has data \(in {tables}\).*Nothing was changed"):
        restore(target, backup_file)
    assert rows_by_key(target) == before


def test_restore_refuses_a_file_that_is_not_a_backup(target, tmp_path):
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all\n" * 100)
    other_database = tmp_path / "other.db"
    with closing(sqlite3.connect(other_database)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")

    with pytest.raises(BackupError, match="notes.db is not a Rollout backup"):
        restore(target, text_file)
    with pytest.raises(BackupError, match="other.db is not a Rollout backup"):
        restore(target, other_database)
    with pytest.raises(BackupError, match="missing.db: no such file"):
        restore(target, tmp_path / "missing.db")
    assert tables(target) == []


def test_restore_refuses_a_backup_from_a_newer_rollout(engine, target, backup_file):
    add(engine, "ES", TODAY)
    backup(engine, backup_file)
    with closing(sqlite3.connect(backup_file)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")

    with pytest.raises(BackupError, match="revision 9999, which this version of Rollout does not know"):
        restore(target, backup_file)
    assert tables(target) == []


def test_backup_never_overwrites_a_file(engine, backup_file):
    backup_file.write_bytes(b"precious")

    with pytest.raises(BackupError, match="already exists"):
        backup(engine, backup_file)
    assert backup_file.read_bytes() == b"precious"
    assert [path.name for path in backup_file.parent.iterdir()] == [backup_file.name]
    with pytest.raises(BackupError, match="missing: no such folder"):
        backup(engine, backup_file.parent / "missing" / "backup.db")


def test_a_failed_backup_leaves_no_file_behind(engine, backup_file, monkeypatch):
    add(engine, "ES", TODAY)

    def failing(partial: Path) -> dict[str, int]:
        assert partial.stat().st_size > 0  # the copy was written, under its temporary name
        raise BackupError("disk full")

    monkeypatch.setattr(backup_module, "_seal", failing)
    with pytest.raises(BackupError, match="disk full"):
        backup(engine, backup_file)
    assert list(backup_file.parent.iterdir()) == []


def test_compare_names_the_tables_that_differ(few_rows, target, backup_file):
    backup(few_rows, backup_file)
    restore(target, backup_file)
    with target.begin() as connection:
        connection.execute(update(Signal).where(Signal.id == 1).values(note="changed"))
    item(target, "Extra")

    found = compare(backup_file, target)
    assert any(problem.startswith("signal: source row 1 differs from target row 1") for problem in found)
    assert any(problem.startswith("contentitem: 0 rows in the source, 1 in the target") for problem in found)
    # The audit trail of the target recorded the new item too.
    assert {problem.split(":")[0] for problem in found} == {"signal", "contentitem", "audit_entry"}


def test_a_restore_that_differs_from_the_backup_is_rolled_back(few_rows, target, backup_file, monkeypatch):
    backup(few_rows, backup_file)
    copy_tables = backup_module._copy_tables

    def losing_a_row(source, destination, progress):
        copied = copy_tables(source, destination, progress)
        destination.execute(delete(Signal).where(Signal.id == 2))
        return copied

    monkeypatch.setattr(backup_module, "_copy_tables", losing_a_row)
    with pytest.raises(BackupError, match="signal: 4 rows in the source, 3 in the target"):
        restore(target, backup_file)
    assert set(counts(target).values()) == {0}


# --- command line ----------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `rollout` against the database `url` (get_engine keeps one engine per URL: disposed after)."""
    used = []

    def run(url: str, *argv: str) -> tuple[int, str, str]:
        monkeypatch.setenv("ROLLOUT_DATABASE_URL", url)
        used.append(url)
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    for url in used:
        get_engine(url).dispose()


@pytest.mark.postgres
def test_cli_backs_up_and_restores_into_sqlite_and_postgres(
    cli, sqlite_url, postgres_url, tmp_path, monkeypatch
):
    file = str(tmp_path / "backup.db")
    assert cli(sqlite_url, "demo", "--by", ACTOR)[0] == 0
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)  # as on a terminal: the steps are shown

    code, out, err = cli(sqlite_url, "backup", file)
    assert (code, err.splitlines()) == (
        0,
        ["copying the database in one snapshot…", "checking the backup's integrity…"],
    )
    assert "  signal " in out and out.endswith(f"tables to {file}\n")

    # Its steps as it takes them, on stderr (the output stays the result): each table with its rows.
    code, out, err = cli(postgres_url, "restore", file)
    steps, tables = err.splitlines(), len(app_tables())
    assert code == 0 and steps[0] == f"read {file}; checking it is a backup this Rollout can restore…", err
    position = [table.name for table in app_tables()].index("signal") + 1
    signals = count(get_engine(sqlite_url), Signal)
    assert f"table {position} of {tables}, signal: {signals:,} rows" in steps
    assert len(steps) == tables + 2
    assert steps[-1].startswith("checking ") and steps[-1].endswith(" tables against the backup…")
    assert "every table matches the backup" in out
    assert compare(get_engine(sqlite_url), get_engine(postgres_url)) == []


def test_cli_refusals_exit_2_with_a_message(cli, sqlite_url, tmp_path):
    file = str(tmp_path / "backup.db")
    assert cli(sqlite_url, "users", "add", ACTOR, "--role", "admin", "--by", ACTOR)[0] == 0
    assert cli(sqlite_url, "countries", "add", "es", "--start", "2026-01-10", "--by", ACTOR)[0] == 0
    assert cli(sqlite_url, "backup", file)[0] == 0

    assert cli(sqlite_url, "backup", file)[::2] == (
        2,
        f"rollout: {file} already exists: a backup never overwrites a file, name a new one\n",
    )
    code, _out, err = cli(sqlite_url, "restore", file)
    assert (
        code == 2
        and "already has data (in app_user, audit_entry, country)" in err
        and "Nothing was changed" in err
    )
    code, _out, err = cli(f"sqlite:///{tmp_path / 'new.db'}", "restore", str(tmp_path / "nope.db"))
    assert (code, err) == (2, f"rollout: {tmp_path / 'nope.db'}: no such file\n")


def test_restore_names_the_table_row_and_column_of_a_value_too_long_for_it(few_rows, target, backup_file):
    """SQLite stores any length, so a backup may hold one; PostgreSQL would refuse it with a DataError
    carrying the row's names and emails."""
    backup(few_rows, backup_file)
    with closing(sqlite3.connect(backup_file)) as connection, connection:
        connection.execute("UPDATE opportunity SET account = ? WHERE id = 1", ("Primera " * 30,))
    with pytest.raises(BackupError) as refusal:
        restore(target, backup_file)
    assert str(refusal.value) == (
        "table opportunity, row 1, column account: 240 characters, but the column holds at most 200; "
        "shorten it in the source database and back it up again. Nothing was restored."
    )
    assert set(counts(target).values()) == {0}
