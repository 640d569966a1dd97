"""Step 3 of the benchmark alone: import a generated HubSpot file of new deals into an empty country of a
fresh database, against the same lower bound, and report the process's peak memory. Quicker to rerun than
`run.py`, whose pages take minutes; its memory figure leaves the pages out, so it is lower than run.py's.

    .venv/bin/python benchmarks/import_only.py [--rows N] [--postgres-server URL] [--reimport] [--json FILE]

--postgres-server: a server URL whose user may create databases; a fresh database is made and dropped.
--reimport: also time importing the same file again (every row unchanged).
--json: also write the import's seconds and this process's peak memory before and after it (run.py reads it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: import this checkout's rollout, not an installed one
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import lower_bounds  # noqa: E402
from benchmarks.run import peak_rss_mb  # noqa: E402
from rollout.platform.countries import add_country  # noqa: E402
from rollout.platform.db import make_engine, write_session  # noqa: E402
from rollout.platform.schema import upgrade  # noqa: E402
from rollout.platform.users import add_user  # noqa: E402
from rollout.sales.deals_import import import_deals  # noqa: E402

ADMIN = "bench-admin@rollout.example"


@contextmanager
def fresh_database(server: str | None) -> Iterator[str]:
    if server is None:
        with tempfile.TemporaryDirectory(prefix="rollout-import-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    admin, name = create_engine(server, isolation_level="AUTOCOMMIT"), f"rollout_i_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed_import(engine, content: bytes) -> tuple[float, object]:
    start = time.perf_counter()
    with write_session(engine, source="import") as session:
        outcome = import_deals(session, code="ES", content=content, filename="deals.csv", by=ADMIN)
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres-server")
    parser.add_argument("--reimport", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with fresh_database(args.postgres_server) as url:
        engine = make_engine(url)
        upgrade(engine)
        with write_session(engine, source="cli") as session:
            add_user(session, email=ADMIN, role="admin", by=ADMIN)
            add_country(session, code="ES", start_date=date(2020, 1, 1), by=ADMIN)
        content = lower_bounds.hubspot_csv(args.rows, "EUR", date.today())
        before = peak_rss_mb()
        seconds, outcome = timed_import(engine, content)
        assert not outcome.refused and outcome.created == args.rows, outcome.problems[:3]
        after = peak_rss_mb()
        again = timed_import(engine, content) if args.reimport else None
        final = peak_rss_mb()
        start = time.perf_counter()
        lower_bounds.pandas_insert(engine, content, "ES")
        bound = time.perf_counter() - start
        engine.dispose()
    if args.json:
        measured = {"rows": args.rows, "seconds": seconds, "rss_before_mb": before, "peak_rss_mb": after}
        args.json.write_text(json.dumps(measured), encoding="utf-8")
    print(f"{engine.dialect.name}: {args.rows:,} rows in {seconds:.2f} s = {args.rows / seconds:,.0f} rows/s")
    print(f"lower bound {bound:.2f} s, ratio {seconds / bound:.1f}x")
    print(f"peak RSS {before:.0f} MB before the import, {after:.0f} MB after it")
    if again:
        print(f"re-import (all unchanged): {again[0]:.2f} s, {again[1].summary()}; peak RSS {final:.0f} MB")


if __name__ == "__main__":
    main()
