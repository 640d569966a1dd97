"""Rollout as people meet it: a real server (`streamlit run app.py`) and Debian's Chromium.

- Every page from a sidebar click to the page idle (the server's script_finished, then
  `[data-test-script-state='notRunning']`), cold (the page's
  first visit on a server just started) and warm, against the same measure of the floor app
  (benchmarks/floor_app.py: a title, a 200-row table and a plotly figure of constant data) in the same run.
- Several users at once: N browser pages, each doing what its role does, one action every few seconds, for a
  bounded time; each action's time from click to idle per page, errors, and writes made against rows found.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from rollout.platform.locking import BUSY_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("ROLLOUT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ACTION_TIMEOUT_MS = 120_000
BENCH_ACCOUNT = "Bench user"  # signals logged by simulated users carry it, so they can be counted afterwards


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    pid: int

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process: the most memory it has held so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc: the server's memory needs Linux")


@contextmanager
def streamlit_server(script: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    """`streamlit run script` on a free localhost port until left; its URL once healthy."""
    port = free_port()
    flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    flags += ["--server.fileWatcherType", "none"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, *flags],
            cwd=ROOT,
            env=os.environ | env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(f"{url}/_stcore/health", process)
            yield Server(url, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer at {url} within {timeout} s")


# --- one page's action ---------------------------------------------------------------------------------


async def open_app(browser, url: str):
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.runs_finished = 0  # script runs the server has said are finished, counted from its websocket
    page.on("websocket", lambda socket: _count_finished_runs(page, socket))
    await page.goto(url, timeout=ACTION_TIMEOUT_MS)
    # The app reads "notRunning" before its first run starts too: wait for the sidebar it draws, then idle.
    await page.get_by_test_id("stSidebarNavLink").first.wait_for(timeout=ACTION_TIMEOUT_MS)
    await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT_MS)
    await page.wait_for_timeout(500)
    await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT_MS)
    return page


def _count_finished_runs(page, socket) -> None:
    def received(payload: str | bytes) -> None:
        if (
            isinstance(payload, bytes)
            and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished"
        ):
            page.runs_finished += 1

    socket.on("framereceived", received)


async def click_to_idle(page, locator) -> float:
    """Milliseconds from a click on `locator` to the page idle again: the server has said the run the click
    started is finished (its websocket's script_finished; the page's own state attribute can go to
    "running" and back between two looks at it) and the browser shows it ("notRunning"). Raises on a page
    that shows an exception."""
    before = page.runs_finished
    start = time.perf_counter()
    await locator.click(timeout=ACTION_TIMEOUT_MS)
    deadline = start + ACTION_TIMEOUT_MS / 1000
    while page.runs_finished == before:
        if time.perf_counter() > deadline:
            raise PlaywrightTimeout(f"no script run finished within {ACTION_TIMEOUT_MS} ms of the click")
        await asyncio.sleep(0.005)
    await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT_MS)
    elapsed = (time.perf_counter() - start) * 1000
    if await page.get_by_test_id("stException").count():
        raise RuntimeError(f"an exception is shown after the click on {locator}")
    return elapsed


def nav_link(page, title: str):
    return page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first


async def open_page(page, title: str) -> float:
    link = nav_link(page, title)
    if not await link.is_visible():  # the sidebar lists ten pages until "View more" is clicked
        more = page.get_by_test_id("stSidebarNavViewButton")
        if await more.count():
            await more.click()
    return await click_to_idle(page, link)


# --- every page, cold and warm, against the floor --------------------------------------------------------


async def page_times(
    url: str, titles: list[str], repeat: int, errors: list[str] | None = None
) -> dict[str, dict[str, list[float]]]:
    """{title: {"cold": [ms], "warm": [ms]}}: each page visited in turn, `repeat` + 1 rounds; the first
    round is each page's first visit on this server (cold), the others warm. A visit that fails is said in
    `errors` (raised without it) and the run goes on."""
    from playwright.async_api import async_playwright

    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"cold": [], "warm": []})
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await open_app(browser, url)
        for round_number in range(repeat + 1):
            for title in titles:
                try:
                    elapsed = await open_page(page, title)
                except PlaywrightTimeout as error:
                    if errors is None:
                        raise
                    errors.append(f"browser, {title}: {str(error).splitlines()[0][:200]}")
                    continue
                times[title]["cold" if round_number == 0 else "warm"].append(elapsed)
        await browser.close()
    return times


# --- several users at once -----------------------------------------------------------------------------

# What each role does, in turn; "log signal" is a write, counted.
ROLE_ACTIONS = {
    "leadership": ["Portfolio", "Country", "Decisions"],
    "sales": ["Sales log", "log signal", "Sales analytics"],
    "marketer": ["Local calendar", "Campaigns"],
}
# A single user, the baseline every page's times are compared with, does what every role does.
EVERY_ACTION = [action for actions in ROLE_ACTIONS.values() for action in actions]


@dataclass
class UsersRun:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    writes_made: int = 0


async def _log_signal(page, user: int, number: int) -> tuple[float, str]:
    """(ms from the click to what the page said, what it said: "logged", "busy" or "nothing"): a logged
    signal reruns the form, then the page (its gate numbers moved), which then says what it logged; a
    write the database could not take in time says so (SQLite takes one writer at a time)."""
    await page.locator(".st-key-signal_account input").fill(f"{BENCH_ACCOUNT} {user}-{number}")
    start = time.perf_counter()
    await click_to_idle(page, page.get_by_role("button", name="Log signal"))
    logged, busy = page.get_by_text("Logged: ").first, page.get_by_text(BUSY_MESSAGE).first
    try:
        await logged.or_(busy).first.wait_for(timeout=ACTION_TIMEOUT_MS)
        await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT_MS)
    except PlaywrightTimeout:
        return (time.perf_counter() - start) * 1000, "nothing"
    return (time.perf_counter() - start) * 1000, "logged" if await logged.is_visible() else "busy"


async def _one_user(
    browser, url: str, user: int, role: str, going: Callable[[], bool], run: UsersRun, seed: int
) -> None:
    rng = random.Random(seed * 1000 + user)
    try:
        page = await open_app(browser, url)
    except Exception as error:  # a session that cannot even open is an error of the run, not a crash
        run.errors.append(f"user {user} ({role}) could not open the app: {error}")
        return
    actions, number = ROLE_ACTIONS.get(role, EVERY_ACTION), 0
    while going() or number < len(actions):  # each action at least once
        action = actions[number % len(actions)]
        try:
            if action == "log signal":
                elapsed, said = await _log_signal(page, user, number)
                run.times["sales_log.log_signal"].append(elapsed)
                run.writes_made += said == "logged"
                if said == "busy":
                    run.errors.append(f"user {user}: a signal was refused, the database being busy")
                elif said == "nothing":
                    run.errors.append(f"user {user}: a signal logged was not confirmed")
            else:
                run.times[action].append(await open_page(page, action))
        except Exception as error:
            run.errors.append(f"user {user} ({role}) {action}: {str(error).splitlines()[0][:200]}")
        number += 1
        await asyncio.sleep(rng.uniform(2.0, 4.0))  # one action every few seconds
    await page.context.close()


async def users_at_once(
    url: str, count: int, seconds: float, seed: int = 7, while_true: Callable[[], bool] | None = None
) -> UsersRun:
    """`count` users, roles in turn (leadership, sales, marketer; one user does everything), each acting
    for `seconds` (or, given `while_true`, as long as it is true), and at least once each of its actions."""
    from playwright.async_api import async_playwright

    run = UsersRun()
    roles = list(ROLE_ACTIONS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        until = time.monotonic() + seconds
        going = while_true or (lambda: time.monotonic() < until)
        await asyncio.gather(
            *(
                _one_user(
                    browser,
                    url,
                    user,
                    "everyone" if count == 1 else roles[user % len(roles)],
                    going,
                    run,
                    seed,
                )
                for user in range(count)
            )
        )
        await browser.close()
    return run


def run_async(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
