"""Imports beside other writers: overlapping imports of the same deals through the CLI, an edit saved
during an import, and other writers while an import holds SQLite.

Expected: every import lands, one after another (each deal's version counts every import that changed
it, and the trail's old values are what each import replaced); an edit made during an import is never
erased unrecorded; no traceback, only messages that say what to do.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select

from rollout.platform import db
from rollout.platform.countries import add_country
from rollout.platform.db import make_engine, read_session, write_session
from rollout.platform.errors import Conflict
from rollout.platform.locking import Busy
from rollout.platform.models import AuditEntry, Opportunity, Signal
from rollout.sales import deals_import
from rollout.sales.pipeline import log_signal, update_opportunity
from tests.conftest import ACTOR, TODAY
from tests.reliability.conftest import figure
from tests.reliability.trail import trail_breaks
from tests.sales_factories import import_file

PROCESSES, IMPORTS = 3, 2  # processes, each importing IMPORTS files one after the other
SHARED, OWN = 150, 50  # deals every file holds; deals only one file holds
HEADER = "Record ID,Deal Name,Associated Company,Amount,Deal Stage,Pipeline,Create Date,Close Date,Currency\n"


def deals_file(name: str, shared_amount: int, own: int = OWN, shared: int = SHARED) -> bytes:
    """A HubSpot deals export: the shared deals at `shared_amount` (so every file changes them), and
    `own` deals of this file alone."""
    rows = [
        f"S{i},Deal S{i},Acme {i},{shared_amount}.00,Contract sent,Sales,01/15/2026,,EUR\n"
        for i in range(shared)
    ]
    rows += [
        f"{name}-{i},Deal {name} {i},Own {i},1000.00,Contract sent,Sales,01/15/2026,,EUR\n"
        for i in range(own)
    ]
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def spain(engine) -> Engine:
    with write_session(engine) as session:
        add_country(session, code="ES", start_date=TODAY - timedelta(days=30), by=ACTOR)
    return engine


def deals(engine: Engine) -> dict[str, Opportunity]:
    with read_session(engine) as session:
        return {deal.crm_id: deal for deal in session.exec(select(Opportunity))}


def test_overlapping_cli_imports_of_the_same_deals_all_land_in_turn(spain, tmp_path):
    paths = []
    for process in range(PROCESSES):
        files = []
        for number in range(IMPORTS):
            path = tmp_path / f"p{process}f{number}.csv"
            path.write_bytes(deals_file(f"P{process}F{number}", shared_amount=100 * process + number + 1))
            files.append(str(path))
        paths.append(files)
    url = spain.url.render_as_string(hide_password=False)
    env = os.environ | {"ROLLOUT_DATABASE_URL": url}
    env.pop("ROLLOUT_PLAYBOOK", None)
    # Each process runs its imports one after the other, as a script would; the processes run at once.
    script = (
        "import sys; from rollout.cli import main; "
        "by, files = sys.argv[1], sys.argv[2:]; "
        "codes = [main(['import', 'deals', f, '--country', 'ES', '--by', by]) for f in files]; "
        "sys.exit(max(codes))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, ACTOR, *files],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for files in paths
    ]
    outputs = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    stored = deals(spain)
    made = PROCESSES * IMPORTS
    tracebacks = sum(b"Traceback" in err for _code, _out, err in outputs)
    shared_versions = {stored[f"S{i}"].version for i in range(SHARED)}
    figure(
        f"{spain.dialect.name}: overlapping imports: {PROCESSES} processes x {IMPORTS} imports of "
        f"{SHARED + OWN} deals ({SHARED} in every file): {made} made, "
        f"{sum(code == 0 for code, _out, _err in outputs) * IMPORTS} landed, {len(stored)} deals found of "
        f"{SHARED + made * OWN}, versions of the shared deals {sorted(shared_versions)} (expected {made}), "
        f"{tracebacks} tracebacks"
    )
    assert [(code, err) for code, _out, err in outputs] == [(0, b"")] * PROCESSES
    assert len(stored) == SHARED + made * OWN
    assert shared_versions == {made}  # created once, then updated by every other import: no bump lost
    assert trail_breaks(spain, "opportunity") == []


def test_an_edit_during_an_import_waits_then_meets_the_imports_version(spain, monkeypatch):
    """The edit is saved after the import checked its file and before it wrote: it waits for the import,
    then is refused (the deal changed since it was opened) instead of being overwritten unrecorded."""
    import_file(spain, "ES", deals_file("first", shared_amount=1, own=0))
    opened = deals(spain)["S7"]
    edit: dict[str, object] = {}

    def edit_the_deal() -> None:
        try:
            with write_session(spain) as session:
                update_opportunity(
                    session,
                    opportunity_id=opened.id,
                    changes={"owner": "editor@rollout.example"},
                    by=ACTOR,
                    expected_version=opened.version,
                    today=TODAY,
                )
            edit["saved"] = True
        except Conflict as error:
            edit["refused"] = str(error)

    write_chunk, editor = deals_import._Importer.write, threading.Thread(target=edit_the_deal)

    def write_while_an_edit_is_saved(importer, *args):
        if not editor.is_alive() and not edit:
            editor.start()
            time.sleep(1.0)
            edit["waited"] = editor.is_alive()  # still waiting for the import's lock
        return write_chunk(importer, *args)

    monkeypatch.setattr(deals_import._Importer, "write", write_while_an_edit_is_saved)
    import_file(spain, "ES", deals_file("second", shared_amount=2, own=0))
    editor.join(timeout=30)
    now = deals(spain)["S7"]
    figure(
        f"{spain.dialect.name}: an edit during an import: waited {edit.get('waited')}, "
        f"{'refused with a conflict' if 'refused' in edit else 'saved'}; deal at version {now.version}"
    )
    assert edit["waited"] is True
    assert "after you opened it" in str(edit.get("refused"))
    assert (now.version, now.amount, now.owner) == (2, 2, opened.owner)
    assert trail_breaks(spain, "opportunity") == []


def test_an_edit_saved_before_the_import_locks_is_what_the_import_replaces(spain, monkeypatch):
    """The edit lands while the import reads its file: the import updates the edited deal, recording the
    edit's values as the old ones, at the edited version + 1."""
    import_file(spain, "ES", deals_file("first", shared_amount=1, own=0))
    opened = deals(spain)["S7"]
    parse = deals_import.parse_deals

    def parse_while_an_edit_is_saved(*args, **kwargs):
        parsed = parse(*args, **kwargs)
        with write_session(spain) as session:
            update_opportunity(
                session,
                opportunity_id=opened.id,
                changes={"account": "Edited meanwhile"},
                by=ACTOR,
                expected_version=opened.version,
                today=TODAY,
            )
        return parsed

    monkeypatch.setattr(deals_import, "parse_deals", parse_while_an_edit_is_saved)
    import_file(spain, "ES", deals_file("second", shared_amount=2, own=0))
    now = deals(spain)["S7"]
    with read_session(spain) as session:
        last = session.exec(
            select(AuditEntry)
            .where(AuditEntry.table_name == "opportunity", AuditEntry.record_key == str(opened.id))
            .order_by(AuditEntry.id.desc())
        ).first()
    assert (now.version, now.account) == (3, "Acme 7")
    assert (last.source, last.changes["account"], last.changes["version"]) == (
        "import",
        ["Edited meanwhile", "Acme 7"],
        [2, 3],
    )
    assert trail_breaks(spain, "opportunity") == []


def test_a_write_while_an_import_holds_sqlite_is_refused_in_words_then_lands(sqlite_url, monkeypatch):
    """Another writer holds SQLite past the busy timeout: the signal is refused with a message saying
    to try again (not "database is locked"), nothing is half-written, and the retry lands."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = make_engine(sqlite_url)
    from rollout.platform.schema import upgrade
    from tests.conftest import seed_team

    upgrade(engine)
    seed_team(engine)
    with write_session(engine) as session:
        add_country(session, code="ES", start_date=TODAY - timedelta(days=30), by=ACTOR)

    def signal() -> None:
        with write_session(engine) as session:
            log_signal(
                session, code="ES", kind="meeting", occurred_on=TODAY, by=ACTOR, note="typed", today=TODAY
            )

    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as an import's transaction holds it
    with pytest.raises(Busy, match="database is busy .* What you entered is kept: try again"):
        signal()
    holder.execute("ROLLBACK")
    signal()
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Signal)).one() == 1
    engine.dispose()
