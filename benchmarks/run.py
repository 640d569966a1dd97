"""The scale benchmark: build the data once, then measure on that same database, in one process.

    python benchmarks/run.py --scale small|medium|large --json FILE [--database-url URL] [--repeat N]

1. every page's full script run under AppTest, cold (fresh AppTest, caches cleared) and warm (reruns);
2. gate evaluation of every country against one hand-written SQL aggregate over the same tables;
3. a CRM CSV import against pandas.read_csv plus one executemany insert;
4. every country's calendar for three years against python-holidays generating the same years;
5. peak RSS of this process, which runs the app's pages (AppTest runs them in-process);
6. every page in Chromium against a real server, against a floor app served the same way;
7. several users at once on one server, against the single user;
8. one user while a large file is imported by the CLI, against the same user just before.

The data is generated in a child process, so this process's peak RSS is the app's alone. See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import math
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: import this checkout's rollout, not an installed one
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402

import rollout.metric_providers  # noqa: E402,F401  (registers the gate metrics)
from benchmarks import lower_bounds  # noqa: E402
from benchmarks.generate import ADMIN, SCALES  # noqa: E402
from rollout.platform.db import make_engine, read_session, write_session  # noqa: E402

APP = str(ROOT / "app.py")
PAGE_TIMEOUT = 1800  # seconds: a slow page at `large` is a figure to report, not a crash
WARM_P50_MS, COLD_P50_MS = 300, 1500
GATES_RATIO, IMPORT_FLOOR_RATIO, CALENDAR_RATIO = 1.5, 2.0, 1.25
PEAK_RSS_MB = 700
# In the browser: a page against the floor app's page, warm and cold; several users: p95 at the most users
# against the same page's single-user p50; the server's peak memory with the most sessions against one.
BROWSER_WARM_RATIO, BROWSER_COLD_RATIO, USERS_P95_RATIO, SERVER_RSS_RATIO = 3.0, 5.0, 3.0, 2.0
# One user's actions while a large file is imported, against the same actions before it.
DURING_IMPORT_RATIO = 2.0
LARGE_FILE_ROWS = 250_000  # HubSpot's most rows per exported file
CALENDAR_YEARS = 3
# The calendar takes a tenth of a second: more samples are cheap, and its median is steadier for them.
CALENDAR_REPEAT = 21


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    lower_bound: float | None = None,
    target: float | None = None,
    target_on: str = "value",
    target_is: str = "max",
) -> dict[str, Any]:
    """One measurement. `target` applies to `target_on` ("value" or "ratio"), as a "max" or a "min";
    a figure without a target has met = None."""
    ratio = value / lower_bound if lower_bound else None
    judged = ratio if target_on == "ratio" else value
    met = None
    if target is not None and judged is not None:
        met = judged <= target if target_is == "max" else judged >= target
    return {
        "name": name,
        "value": _significant(value),
        "unit": unit,
        "lower_bound": _significant(lower_bound) if lower_bound is not None else None,
        "ratio": _significant(ratio) if ratio is not None else None,
        "target": target,
        "target_on": target_on,
        "target_is": target_is,
        "met": met,
    }


def _significant(number: float) -> float:
    """Six significant digits: milliseconds of a fast step and rows per second alike."""
    return float(f"{number:.6g}")


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: with few samples, p95 is the slowest run."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def median_seconds(function: Callable[[], Any], repeat: int) -> float:
    return percentile([timed(function)[0] for _ in range(repeat)], 0.5)


def against_lower_bound(
    name: str, app: Callable[[], Any], bound: Callable[[], Any], repeat: int, max_ratio: float
) -> dict[str, Any]:
    """The app's median time beside its lower bound's, each timed `repeat` times, in turns: a shared machine's
    speed drifts by tens of percent within a minute, and both sides of a ratio must see the same drift.
    Each run starts after a full garbage collection, so one owed by earlier work is not billed to whichever
    side happens to run next (a full collection of this process takes longer than some steps)."""
    app_seconds, bound_seconds = [], []
    for _ in range(repeat):
        gc.collect()
        app_seconds.append(timed(app)[0])
        gc.collect()
        bound_seconds.append(timed(bound)[0])
    seconds, lower = percentile(app_seconds, 0.5), percentile(bound_seconds, 0.5)
    return figure(name, seconds, "s", lower_bound=lower, target=max_ratio, target_on="ratio")


def peak_rss_mb() -> float:
    """VmHWM: the most resident memory this process has held so far."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: ru_maxrss is in kilobytes there too, except on macOS

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- 1. pages --------------------------------------------------------------------------------------


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _page_run(at) -> float:
    seconds, _ = timed(at.run)
    if at.exception:
        raise RuntimeError("; ".join(str(e.value) for e in at.exception)[:500])
    return seconds * 1000


def _fresh_app(path: str, state: dict[str, Any] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=PAGE_TIMEOUT)
    at.switch_page(path)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at


def measure_page(
    path: str, repeat: int, cold_repeat: int, state: dict[str, Any] | None = None
) -> tuple[list[float], list[float]]:
    """(cold runs, warm reruns) in ms. Cold: a fresh AppTest with every st.cache cleared. `state` opens a
    view other than the page's first (a tab's key and its label)."""
    cold, at = [], None
    for _ in range(cold_repeat):
        _clear_caches()
        at = _fresh_app(path, state)
        cold.append(_page_run(at))
    warm = [_page_run(at) for _ in range(repeat)]
    return cold, warm


# Views of a page that run only when chosen, measured as pages of their own: (name, page, session state).
OTHER_VIEWS = (
    (
        "sales_analytics_side_by_side",
        "app_pages/sales_analytics.py",
        {"analytics_view": "Markets side by side"},
    ),
    ("content_translations", "app_pages/content.py", {"content_view": "Translations by market"}),
)


def page_figures(repeat: int, cold_repeat: int, errors: list[str]) -> list[dict[str, Any]]:
    from rollout.ui.navigation import PAGES

    # Importing Streamlit, plotly and the page modules happens once per server, not per page: warm up.
    _fresh_app(PAGES[0].path).run()
    figures = []
    views = [(Path(spec.path).stem, spec.path, {}) for spec in PAGES] + list(OTHER_VIEWS)
    for slug, path, state in views:
        try:
            cold, warm = measure_page(path, repeat, cold_repeat, state)
        except RuntimeError as error:
            errors.append(f"page {slug}: {error}")
            continue
        figures += [
            figure(f"page.{slug}.cold_p50", percentile(cold, 0.5), "ms", target=COLD_P50_MS),
            figure(f"page.{slug}.cold_p95", percentile(cold, 0.95), "ms"),
            figure(f"page.{slug}.warm_p50", percentile(warm, 0.5), "ms", target=WARM_P50_MS),
            figure(f"page.{slug}.warm_p95", percentile(warm, 0.95), "ms"),
        ]
        print(
            f"  {slug}: cold {percentile(cold, 0.5):.0f} ms, warm {percentile(warm, 0.5):.0f} ms", flush=True
        )
    return figures


# --- 2. gates --------------------------------------------------------------------------------------


def gate_figures(engine: Engine, repeat: int) -> list[dict[str, Any]]:
    from rollout.gates import status as gates
    from rollout.gates.playbook import load_playbook

    playbook, today = load_playbook(), date.today()

    def app() -> None:
        with read_session(engine) as session:  # a fresh session: the rate book is read again
            gates.portfolio(session, today, playbook)

    def bound() -> None:
        with read_session(engine) as session:
            lower_bounds.gate_aggregate(session, playbook, today)

    return [against_lower_bound("gates.portfolio", app, bound, repeat, GATES_RATIO)]


# --- 3. import -------------------------------------------------------------------------------------


def import_figures(engine: Engine, rows: int, large_rows: int) -> list[dict[str, Any]]:
    """The import of a `rows`-row HubSpot file against pandas plus one insert, and against its floor: what
    it wrote, written again as prepared tuples. Then a `large_rows` file in a child process of its own, for
    its time and peak memory alone."""
    from rollout.sales.deals_import import import_deals

    with read_session(engine) as session:
        code, currency = session.execute(text("SELECT code, currency FROM country ORDER BY code")).first()
        audit_after = session.execute(text("SELECT coalesce(max(id), 0) FROM audit_entry")).scalar_one()
    content = lower_bounds.hubspot_csv(rows, currency, date.today())

    def app():
        with write_session(engine, source="import") as session:
            return import_deals(session, code=code, content=content, filename="deals.csv", by=ADMIN)

    seconds, outcome = timed(app)
    if outcome.refused or outcome.created != rows:
        raise RuntimeError(f"the import refused the generated file: {outcome.problems[:3]}")
    floor = lower_bounds.import_floor(engine, code, "bench-", audit_after)
    bound = timed(lambda: lower_bounds.pandas_insert(engine, content, code))[0]
    return [
        figure("import.rows_per_second", rows / seconds, "rows/s"),
        figure("import.seconds", seconds, "s", lower_bound=bound),
        figure(
            "import.floor.seconds",
            seconds,
            "s",
            lower_bound=floor,
            target=IMPORT_FLOOR_RATIO,
            target_on="ratio",
        ),
        *large_file_figures(large_rows),
    ]


def large_file_figures(rows: int) -> list[dict[str, Any]]:
    """A file of HubSpot's most rows, imported by a process of its own into a fresh database: its time,
    and that process's peak memory over the memory it held before the import."""
    with tempfile.TemporaryDirectory(prefix="rollout-large-import-") as folder:
        output = Path(folder) / "import.json"
        command = [sys.executable, "-m", "benchmarks.import_only", "--rows", str(rows), "--json", str(output)]
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        measured = json.loads(output.read_text(encoding="utf-8"))
    return [
        figure("import.large_file.seconds", measured["seconds"], "s"),
        figure(
            "import.large_file.peak_rss", measured["peak_rss_mb"], "MB", lower_bound=measured["rss_before_mb"]
        ),
    ]


# --- 4. calendar -----------------------------------------------------------------------------------


def calendar_figures(engine: Engine, repeat: int) -> list[dict[str, Any]]:
    """The local calendar (public holidays of every category, cultural and local events) of every country
    for three years, built afresh each time, against python-holidays generating those countries' holidays;
    then the campaigns planned on those calendars, read from the database (no bound: not a generation)."""
    from rollout.marketing import local_calendar

    with read_session(engine) as session:
        codes = list(session.execute(text("SELECT code FROM country ORDER BY code")).scalars())
    first_year = date.today().year
    years = range(first_year, first_year + CALENDAR_YEARS)
    start, end = date(first_year, 1, 1), date(years[-1], 12, 31)

    def app(include: tuple[str, ...]) -> None:
        local_calendar.clear_holiday_cache()  # what the first view after a start costs
        with read_session(engine) as session:
            local_calendar.calendars(session, codes, start, end, locale="en", include=include)

    def bound() -> None:
        lower_bounds.holiday_generation(codes, years, "en")

    calendar = against_lower_bound(
        "calendar.all_countries_3_years", lambda: app(("holidays", "events")), bound, repeat, CALENDAR_RATIO
    )
    campaigns = median_seconds(lambda: app(("campaigns",)), repeat)
    return [calendar, figure("calendar.campaigns_of_all_countries_3_years", campaigns, "s")]


# --- 6. in the browser --------------------------------------------------------------------------------


def app_server_env(url: str) -> dict[str, str]:
    return {"ROLLOUT_DATABASE_URL": url, "ROLLOUT_USER": ADMIN}


def browser_figures(url: str, repeat: int, logs: Path, errors: list[str]) -> list[dict[str, Any]]:
    """Every page from a sidebar click to idle in Chromium, cold and warm, against the floor app's page
    measured the same way in the same run."""
    from benchmarks import browser
    from rollout.ui.navigation import PAGES

    titles = {spec.title: Path(spec.path).stem for spec in PAGES}
    with browser.streamlit_server("benchmarks/floor_app.py", {}, logs / "floor.log") as floor:
        floor_times = browser.run_async(browser.page_times(floor.url, ["Floor B", "Floor A"], repeat))
    floor_cold = percentile(floor_times["Floor B"]["cold"] + floor_times["Floor A"]["cold"], 0.5)
    floor_warm = percentile(floor_times["Floor B"]["warm"] + floor_times["Floor A"]["warm"], 0.5)
    # This week is the page the app opens on: its first click comes after the others, so it is warm only.
    order = [title for title in titles if title != PAGES[0].title] + [PAGES[0].title]
    with browser.streamlit_server(APP, app_server_env(url), logs / "app-browser.log") as server:
        times = browser.run_async(browser.page_times(server.url, order, repeat, errors))
    figures = [
        figure("browser.floor.cold_p50", floor_cold, "ms"),
        figure("browser.floor.warm_p50", floor_warm, "ms"),
    ]
    for title, slug in titles.items():
        cold, warm = times[title]["cold"], times[title]["warm"]
        if not warm:  # every visit failed: said in the errors
            continue
        if title != PAGES[0].title and cold:
            figures.append(
                figure(
                    f"browser.{slug}.cold_p50",
                    percentile(cold, 0.5),
                    "ms",
                    lower_bound=floor_cold,
                    target=BROWSER_COLD_RATIO,
                    target_on="ratio",
                )
            )
        figures.append(
            figure(
                f"browser.{slug}.warm_p50",
                percentile(warm, 0.5),
                "ms",
                lower_bound=floor_warm,
                target=BROWSER_WARM_RATIO,
                target_on="ratio",
            )
        )
        print(f"  {slug}: cold {percentile(cold or warm, 0.5):.0f} ms, warm {percentile(warm, 0.5):.0f} ms")
    return figures


# --- 7. several users at once ---------------------------------------------------------------------------


def _bench_signals(engine: Engine) -> int:
    from benchmarks.browser import BENCH_ACCOUNT

    with read_session(engine) as session:
        query = text("SELECT count(*) FROM signal WHERE account LIKE :account")
        return session.execute(query, {"account": f"{BENCH_ACCOUNT}%"}).scalar_one()


def users_figures(
    engine: Engine, url: str, counts: list[int], seconds: float, logs: Path
) -> list[dict[str, Any]]:
    """`counts` users at once on one server, in turn, each phase `seconds` long: per page p50 and p95 from
    action to idle, errors, writes lost (confirmed to the user, not found in the database); the most users'
    p95 against the same page's single-user p50; the server's peak memory with the most sessions against
    its peak with the first count's."""
    from benchmarks import browser

    slugs = _action_slugs()
    figures: list[dict[str, Any]] = []
    single: dict[str, float] = {}
    with browser.streamlit_server(APP, app_server_env(url), logs / "app-users.log") as server:
        for count in counts:
            before = _bench_signals(engine)
            run = browser.run_async(browser.users_at_once(server.url, count, seconds))
            lost = run.writes_made - (_bench_signals(engine) - before)
            most = count == counts[-1]
            for action, times in sorted(run.times.items()):
                slug, p50, p95 = slugs[action], percentile(times, 0.5), percentile(times, 0.95)
                if count == counts[0]:
                    single[slug] = p50
                figures.append(figure(f"users.{count}.{slug}.p50", p50, "ms"))
                bound = single.get(slug) if most and count != counts[0] else None
                target = USERS_P95_RATIO if bound else None
                figures.append(
                    figure(
                        f"users.{count}.{slug}.p95",
                        p95,
                        "ms",
                        lower_bound=bound,
                        target=target,
                        target_on="ratio",
                    )
                )
            figures += [
                figure(f"users.{count}.actions", sum(len(t) for t in run.times.values()), "actions"),
                figure(f"users.{count}.errors", len(run.errors), "errors", target=0),
                figure(f"users.{count}.writes_made", run.writes_made, "writes"),
                figure(f"users.{count}.writes_lost", max(lost, 0), "writes", target=0),
            ]
            for error in run.errors[:5]:
                print(f"  users {count}: {error}", flush=True)
            rss = server.peak_rss_mb()
            if count == counts[0]:
                first_rss = rss
                figures.append(figure(f"memory.server_peak_rss.{count}_sessions", rss, "MB"))
            elif most:
                figures.append(
                    figure(
                        f"memory.server_peak_rss.{count}_sessions",
                        rss,
                        "MB",
                        lower_bound=first_rss,
                        target=SERVER_RSS_RATIO,
                        target_on="ratio",
                    )
                )
            print(
                f"  {count} users: {len(run.errors)} errors, {run.writes_made} writes, {max(lost, 0)} lost",
                flush=True,
            )
    return figures


def _action_slugs() -> dict[str, str]:
    """A simulated user's action -> its name in the figures: a page's file name, or the write it makes."""
    from rollout.ui.navigation import PAGES

    return {spec.title: Path(spec.path).stem for spec in PAGES} | {
        "sales_log.log_signal": "sales_log.log_signal"
    }


# --- 8. a large import while someone works -------------------------------------------------------------


def _market_for_import(engine: Engine) -> tuple[str, str]:
    """(code, currency) of a market added for the import alone, so the pages' data stays as generated."""
    from benchmarks.generate import market_codes
    from rollout.platform.countries import add_country, get_country

    with read_session(engine) as session:
        taken = set(session.execute(text("SELECT code FROM country")).scalars())
    code = next(code for code in market_codes(len(taken) + 1) if code not in taken)
    with write_session(engine, source="cli") as session:
        add_country(session, code=code, start_date=date(2020, 1, 1), by=ADMIN)
        return code, get_country(session, code).currency


def during_import_figures(
    engine: Engine, url: str, rows: int, seconds: float, logs: Path
) -> list[dict[str, Any]]:
    """One user doing every role's actions on a server for `seconds`, then again while `rollout import
    deals` imports a `rows`-row file into a market of its own: each action's p50 during the import
    against its p50 before it, the errors the user met and the writes confirmed but not stored."""
    from benchmarks import browser

    code, currency = _market_for_import(engine)
    slugs = _action_slugs()
    with tempfile.TemporaryDirectory(prefix="rollout-import-load-") as folder:
        deals = Path(folder) / "deals.csv"
        # CRM ids of their own: step 3's file has the same numbers, and an id is unique per source.
        deals.write_bytes(lower_bounds.hubspot_csv(rows, currency, date.today(), prefix="load-"))
        with browser.streamlit_server(APP, app_server_env(url), logs / "app-import.log") as server:
            idle = browser.run_async(browser.users_at_once(server.url, 1, seconds))
            before = _bench_signals(engine)
            command = [sys.executable, "-m", "rollout.cli", "import", "deals", str(deals), "--country", code]
            with (logs / "import.log").open("w") as log:
                start = time.perf_counter()
                process = subprocess.Popen(
                    command, cwd=ROOT, env=os.environ | app_server_env(url), stdout=log
                )
                during = browser.run_async(
                    browser.users_at_once(server.url, 1, 0, while_true=lambda: process.poll() is None)
                )
                if process.wait() != 0:
                    raise RuntimeError(f"the import failed: see {logs / 'import.log'}")
                import_seconds = time.perf_counter() - start
    lost = during.writes_made - (_bench_signals(engine) - before)
    with read_session(engine) as session:
        query = text("SELECT count(*) FROM opportunity WHERE country_code = :code")
        imported = session.execute(query, {"code": code}).scalar_one()
    figures = [
        figure("during_import.import.seconds", import_seconds, "s"),
        figure("during_import.deals_imported", imported, "deals"),
    ]
    for action, times in sorted(during.times.items()):
        figures.append(
            figure(
                f"during_import.{slugs[action]}.p50",
                percentile(times, 0.5),
                "ms",
                lower_bound=percentile(idle.times[action], 0.5),
                target=DURING_IMPORT_RATIO,
                target_on="ratio",
            )
        )
    figures += [
        figure("during_import.actions", sum(len(t) for t in during.times.values()), "actions"),
        figure("during_import.errors", len(idle.errors) + len(during.errors), "errors", target=0),
        figure("during_import.writes_lost", max(lost, 0), "writes", target=0),
    ]
    for error in (idle.errors + during.errors)[:5]:
        print(f"  during the import: {error}", flush=True)
    return figures


# --- the machine and the run -----------------------------------------------------------------------


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_mb() -> int | None:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return None


def machine(engine: Engine) -> dict[str, Any]:
    import holidays
    import streamlit

    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_mb": _memory_mb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "streamlit": streamlit.__version__,
        "holidays": holidays.__version__,
        "database": engine.dialect.name,
    }
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            info["postgresql"] = connection.execute(text("SHOW server_version")).scalar()
    return info


DATA_TABLES = ("country", "opportunity", "signal", "campaign")


def data_sizes(engine: Engine) -> dict[str, int]:
    """Rows of the tables the pages read most, so that a cost can be set beside the data it grew with."""
    with read_session(engine) as session:
        return {
            name: session.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in DATA_TABLES
        }


def generate(scale: str, url: str) -> float:
    """Build the data in a child process, so its memory never counts as the app's."""
    command = [sys.executable, "-m", "benchmarks.generate", "--scale", scale, "--database-url", url]
    seconds, _ = timed(lambda: subprocess.run(command, cwd=ROOT, check=True))
    return seconds


def quiet_streamlit() -> None:
    """AppTest and cache clearing outside a script run warn on every call; the figures are the output."""
    from streamlit import logger

    logger.set_log_level("error")
    logging.getLogger("streamlit").setLevel(logging.ERROR)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Rollout's scale benchmark (see BENCHMARKS.md)")
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--json", type=Path, required=True, help="where to write the figures")
    parser.add_argument("--database-url", help="an existing empty database (default: a new SQLite file)")
    parser.add_argument("--repeat", type=int, default=10, help="warm reruns per page, timings per step")
    parser.add_argument("--cold-repeat", type=int, default=3, help="cold runs per page")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the imported CRM file")
    parser.add_argument(
        "--large-rows", type=int, default=LARGE_FILE_ROWS, help="rows of the large file, imported on its own"
    )
    parser.add_argument(
        "--users",
        type=_counts,
        default=[1, 5, 10, 20],
        help="numbers of simulated users at once, in turn, the first being the single-user baseline"
        " (default 1,5,10,20; 0 leaves out the browser steps)",
    )
    parser.add_argument("--users-seconds", type=float, default=60, help="how long each number of users acts")
    parser.add_argument("--browser-repeat", type=int, default=3, help="warm visits per page in the browser")
    return parser.parse_args(argv)


def _counts(value: str) -> list[int]:
    counts = [int(part) for part in value.split(",") if part.strip()]
    return [] if counts == [0] else counts


def run(args: argparse.Namespace, url: str) -> dict[str, Any]:
    print(f"building {args.scale} in {url.split('@')[-1]}", flush=True)
    generation = generate(args.scale, url)
    print(f"built in {generation:.0f} s", flush=True)
    os.environ["ROLLOUT_DATABASE_URL"], os.environ["ROLLOUT_USER"] = url, ADMIN
    engine = make_engine(url)
    sizes = data_sizes(engine)
    errors: list[str] = []
    figures = [figure("generate.seconds", generation, "s")]
    print("pages", flush=True)
    figures += page_figures(args.repeat, args.cold_repeat, errors)
    figures.append(figure("memory.peak_rss_after_pages", peak_rss_mb(), "MB", target=PEAK_RSS_MB))
    print("gates, calendar, import", flush=True)
    figures += gate_figures(engine, args.repeat)
    figures += calendar_figures(engine, max(args.repeat, CALENDAR_REPEAT))
    figures += import_figures(engine, args.rows, args.large_rows)
    figures.append(figure("memory.peak_rss_at_end", peak_rss_mb(), "MB", target=PEAK_RSS_MB))
    if args.users:
        logs = Path(tempfile.mkdtemp(prefix="rollout-bench-logs-"))
        print(f"in the browser (server logs in {logs})", flush=True)
        figures += browser_figures(url, args.browser_repeat, logs, errors)
        print("several users at once", flush=True)
        figures += users_figures(engine, url, args.users, args.users_seconds, logs)
        print(f"a {args.large_rows:,}-row import while one user works", flush=True)
        figures += during_import_figures(engine, url, args.large_rows, args.users_seconds, logs)
    return {
        "scale": args.scale,
        "machine": machine(engine),
        "data": sizes,
        "run": {
            "date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "repeat": args.repeat,
            "cold_repeat": args.cold_repeat,
            "import_rows": args.rows,
            "users": args.users,
            "users_seconds": args.users_seconds,
            "browser_repeat": args.browser_repeat,
            "large_import_rows": args.large_rows,
        },
        "figures": figures,
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_streamlit()
    with tempfile.TemporaryDirectory(prefix="rollout-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        result = run(args, url)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for item in result["figures"]:
        verdict = {True: "met", False: "MISSED", None: ""}[item["met"]]
        print(f"{item['name']:40} {item['value']:>12} {item['unit']:6} ratio {item['ratio']} {verdict}")
    for error in result["errors"]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
