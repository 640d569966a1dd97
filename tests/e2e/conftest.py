"""A real Chromium (Debian's package) against `streamlit run app.py` on a free localhost port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ROLLOUT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("ROLLOUT_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[2]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{process.args[2]} did not answer at {url} within {timeout} s")


@contextmanager
def serve(
    module: str, args: list[str], ready_url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    """`python -m module args` in the project's folder, logging to `log`, until `ready_url` answers 200;
    stopped on leaving."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=os.environ | (env or {}),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(ready_url, process)
            yield
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def serve_app(log: Path, env: dict[str, str], *args: str, port: int | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free localhost port (or `port`) with `env` added, logging to `log`;
    its URL once healthy. `args` are more `streamlit run` flags."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    # A source edit during a run would reload the app's modules mid-test.
    flags += ["--server.fileWatcherType", "none", *args]
    with serve("streamlit", ["run", "app.py", *flags], f"{url}/_stcore/health", log, env):
        yield url


@contextmanager
def app_server(database_url: str, log: Path, user: str = "ceo@rollout.example") -> Iterator[str]:
    """`streamlit run app.py` on `database_url` (local mode, as `user`) on a free port, logging to `log`: its
    URL, until left. Several servers may share one database, as a team's replicas do."""
    env = {"ROLLOUT_DATABASE_URL": database_url, "ROLLOUT_USER": user}
    with serve_app(log, env) as url:
        yield url


@pytest.fixture
def app_url(tmp_path) -> Iterator[str]:
    """The app on an empty SQLite database of its own."""
    with app_server(f"sqlite:///{tmp_path / 'e2e.db'}", tmp_path / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}: in CI the browser tests must run")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS
