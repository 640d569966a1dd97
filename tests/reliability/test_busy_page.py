"""A signal logged on the Sales log while another writer (an import) holds SQLite: the page says the
database is busy, keeps what was typed, and the same click lands once the database is free."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from sqlmodel import func, select

from rollout.platform import db
from rollout.platform.countries import add_country
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import Signal
from rollout.platform.schema import upgrade
from rollout.platform.users import add_user
from tests.app.conftest import assert_clean, run_app, shown
from tests.conftest import TODAY

LEADER = "ceo@rollout.example"


def signals(url: str) -> int:
    with read_session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(Signal)).one()


def test_a_busy_database_keeps_the_form_and_the_retry_lands(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ROLLOUT_DATABASE_URL", url)
    monkeypatch.setenv("ROLLOUT_USER", LEADER)
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    engine = get_engine(url)
    upgrade(engine)
    with write_session(engine, source="cli") as session:
        add_user(session, email=LEADER, role="admin", by=LEADER)
        add_country(session, code="ES", start_date=TODAY - timedelta(days=30), by=LEADER)
    at = run_app().switch_page("app_pages/sales_log.py")
    at.query_params["country"] = "ES"
    at.run()
    at.text_input(key="signal_account").input("Banco Ejemplo")
    at.text_area(key="signal_note").input("Met the CFO; wants a pilot in March")
    holder = sqlite3.connect(str(tmp_path / "app.db"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as a long import's transaction holds it
    try:
        next(b for b in at.button if b.label == "Log signal").click().run()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clean(at)
    assert any("The database is busy" in shown(e.value) for e in at.error)
    assert not any("locked" in shown(e.value) for e in at.error)
    assert at.text_area(key="signal_note").value == "Met the CFO; wants a pilot in March"
    assert signals(url) == 0
    next(b for b in at.button if b.label == "Log signal").click().run()
    assert_clean(at)
    assert signals(url) == 1
    engine.dispose()
