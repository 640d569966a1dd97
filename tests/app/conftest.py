"""Fixtures for AppTest: a fresh SQLite database per test, optionally with the demo loaded.

Loading the demo takes seconds: it is loaded once per session (per pytest-xdist worker) into a template file,
and each test gets a copy of that file, so what one test writes no other sees.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from rollout.demo import load_demo
from rollout.platform.db import get_engine, make_engine, read_session
from rollout.platform.schema import upgrade

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "app_pages/portfolio.py",
    "app_pages/country.py",
    "app_pages/decisions.py",
    "app_pages/reviews.py",
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


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A SQLite file with the demo loaded, once per session, for tests to copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    load_demo(engine, by="ceo@rollout.example")  # the local user (ROLLOUT_USER): the demo's admin
    engine.dispose()  # no connection left: SQLite folds its WAL into the file
    return path


@pytest.fixture
def demo_app(url, demo_template) -> AppTest:
    """The demo, on the Portfolio (the start page, This week, has tests of its own)."""
    shutil.copyfile(demo_template, url.removeprefix("sqlite:///"))
    at = run_app()
    assert_clean(at)
    at.switch_page("app_pages/portfolio.py").run()
    assert_clean(at)
    return at


def count(url: str, model) -> int:
    with read_session(get_engine(url)) as session:
        return len(session.exec(select(model)).all())


def shown(markdown: str) -> str:
    """What a Markdown string with escaped characters reads as on screen (word joiners are invisible)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
