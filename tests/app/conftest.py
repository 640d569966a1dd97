"""Fixtures for AppTest: a fresh SQLite database per test, optionally with the demo loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from rollout.demo import load_demo
from rollout.platform.db import get_engine, read_session
from rollout.platform.schema import upgrade

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "app_pages/portfolio.py",
    "app_pages/country.py",
    "app_pages/decisions.py",
    "app_pages/sales_log.py",
    "app_pages/deals_import.py",
    "app_pages/sales_analytics.py",
    "app_pages/local_calendar.py",
    "app_pages/campaigns.py",
    "app_pages/content.py",
    "app_pages/talent.py",
    "app_pages/playbook.py",
    "app_pages/rates.py",
    "app_pages/history.py",
    "app_pages/users.py",
    "app_pages/this_week.py",
]


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("ROLLOUT_DATABASE_URL", url)
    monkeypatch.setenv("ROLLOUT_USER", "ceo@rollout.example")
    return url


def run_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def demo_app(url) -> AppTest:
    engine = get_engine(url)
    upgrade(engine)
    load_demo(engine, by="ceo@rollout.example")  # the local user (ROLLOUT_USER): the demo's admin
    at = run_app()
    assert_clean(at)
    return at


def count(url: str, model) -> int:
    with read_session(get_engine(url)) as session:
        return len(session.exec(select(model)).all())


def shown(markdown: str) -> str:
    """What a Markdown string with escaped characters reads as on screen (word joiners are invisible)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
