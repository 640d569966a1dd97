"""What the benchmark compares the app with: the least work that gives the same answer.

- Gates: the countries' decisions read and replayed (the phase windows exist nowhere else), then ONE
  hand-written SQL statement computing, per country, the numbers its current gate's metrics need, and
  the amounts converted to the reporting currency with the same rate book.
- Import: pandas.read_csv and one executemany INSERT into the opportunity table; and its floor, writing
  what the import wrote (deals, first stage changes, audit entries) as prepared tuples with executemany.
- Calendar: python-holidays generating the holidays the calendar shows: each category the country has
  (one object per category, since a holiday's category cannot be read back from a mixed object), named in
  the country's language and in the viewer's when that differs.
"""

from __future__ import annotations

import csv
import io
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import holidays
import pandas as pd
from sqlalchemy import Engine, bindparam, insert, text
from sqlmodel import Session, select

from rollout.gates.playbook import Playbook
from rollout.gates.timeline import replay
from rollout.marketing.content import DONE, WEBSITE_TYPES
from rollout.marketing.local_calendar import holiday_language
from rollout.marketing.talent import WORKING
from rollout.platform.bulk import _next_ids  # the ids the app's own bulk insert would take
from rollout.platform.models import AuditEntry, Country, Decision, Opportunity, StageChange, utc_now
from rollout.sales.money import rate_book
from rollout.sales.pipeline import load_pipeline_config

# Each part: (the phase whose gate needs it, SELECT code, metric, key1, key2, value FROM ... JOIN w).
# key1/key2 are a currency, a day, a locale or a title; they are text so that every part unions.
_PARTS = {
    "qualified_meetings": (
        "sales_test",
        "SELECT w.code, 'qualified_meetings', '', '', COUNT(*) FROM signal s"
        " JOIN w ON s.country_code = w.code WHERE s.kind = 'meeting' AND s.qualified"
        " AND s.occurred_on BETWEEN w.start_on AND w.end_on"
        " GROUP BY w.code",
    ),
    "opportunities_opened": (
        "sales_test",
        "SELECT w.code, 'opportunities_opened', '', '', COUNT(*) FROM opportunity o"
        " JOIN w ON o.country_code = w.code WHERE o.created_on BETWEEN w.start_on AND w.end_on"
        " GROUP BY w.code",
    ),
    "open_pipeline": (
        "sales_test",
        # still open, then closed after the window: each a range of the (country, closed_on, …) index
        "SELECT w.code, 'open_pipeline', o.currency, '', SUM(o.amount) FROM opportunity o"
        " JOIN w ON o.country_code = w.code WHERE o.closed_on IS NULL AND o.created_on <= w.end_on"
        " GROUP BY w.code, o.currency"
        " UNION ALL SELECT w.code, 'open_pipeline', o.currency, '', SUM(o.amount) FROM opportunity o"
        " JOIN w ON o.country_code = w.code WHERE o.closed_on > w.end_on AND o.created_on <= w.end_on"
        " GROUP BY w.code, o.currency",
    ),
    "won": (
        "first_signings",
        "SELECT w.code, 'won', o.currency, CAST(o.closed_on AS VARCHAR(10)), SUM(o.amount) FROM opportunity o"
        " JOIN w ON o.country_code = w.code WHERE o.stage IN :won"
        " AND o.closed_on BETWEEN w.start_on AND w.end_on GROUP BY w.code, o.currency, o.closed_on",
    ),
    "deals_won": (
        "first_signings",
        "SELECT w.code, 'deals_won', '', '', COUNT(*) FROM opportunity o JOIN w ON o.country_code = w.code"
        " WHERE o.stage IN :won AND o.closed_on BETWEEN w.start_on AND w.end_on GROUP BY w.code",
    ),
    "site_published": (
        "marketing_launch",
        "SELECT w.code, 'site_published', t.locale, '', COUNT(*) FROM translation t"
        " JOIN w ON t.country_code = w.code JOIN contentitem c ON c.id = t.content_id"
        " WHERE c.content_type IN :website AND t.status IN :done GROUP BY w.code, t.locale",
    ),
    "requests": (
        "marketing_launch",
        "SELECT w.code, 'requests', s.content_title, '', COUNT(*) FROM signal s"
        " JOIN w ON s.country_code = w.code WHERE s.kind = 'content_request' AND s.content_title != ''"
        " AND s.occurred_on <= w.end_on GROUP BY w.code, s.content_title",
    ),
    "published": (
        "marketing_launch",
        "SELECT w.code, 'published', c.title, '', COUNT(*) FROM translation t"
        " JOIN w ON t.country_code = w.code JOIN contentitem c ON c.id = t.content_id"
        " WHERE t.status IN :done GROUP BY w.code, c.title",
    ),
    "hires_working": (
        "local_talent",
        "SELECT w.code, 'hires_working', '', '', COUNT(DISTINCT h.id) FROM hire h"
        " JOIN w ON h.country_code = w.code JOIN hirestagechange m ON m.hire_id = h.id"
        " WHERE m.stage IN :working AND m.entered_on <= w.end_on GROUP BY w.code",
    ),
    "timed_campaigns": (
        "local_talent",
        "SELECT w.code, 'timed_campaigns', '', '', COUNT(*) FROM campaign k JOIN w ON k.country_code = w.code"
        " WHERE NOT k.cancelled AND k.occasion != '' AND k.starts_at >= w.quarter_start"
        " AND k.starts_at < w.quarter_end GROUP BY w.code",
    ),
}


def _windows(session: Session, playbook: Playbook, today: date) -> list[tuple[str, str, date]]:
    """(country, current phase, phase start) of every country at a gate: one query, then the replay."""
    decisions: dict[str, list[Decision]] = defaultdict(list)
    for decision in session.exec(select(Decision).order_by(Decision.country_code, Decision.sequence)):
        decisions[decision.country_code].append(decision)
    windows = []
    for country in session.exec(select(Country)):
        span = replay(country.start_date, decisions[country.code], playbook, today).current
        if span is not None:
            windows.append((country.code, span.phase, span.started_on))
    return windows


def _values_cte(windows: list[tuple[str, str, date]], today: date, postgres: bool) -> tuple[str, dict]:
    as_date = "CAST(:{} AS DATE)" if postgres else ":{}"
    # starts_at is a timestamp; SQLite stores it as text that sorts like the ISO day
    as_instant = "CAST(:{} AS TIMESTAMP)" if postgres else ":{}"
    rows, params = [], {}
    quarter_start, quarter_end = today + timedelta(days=1), today + timedelta(days=93)
    for n, (code, phase, start) in enumerate(windows):
        rows.append(
            f"(:c{n}, :p{n}, {as_date.format(f's{n}')}, {as_date.format(f'e{n}')}, "
            f"{as_instant.format(f'q{n}')}, {as_instant.format(f'r{n}')})"
        )
        params |= {
            f"c{n}": code,
            f"p{n}": phase,
            f"s{n}": start.isoformat(),
            f"e{n}": today.isoformat(),
            f"q{n}": quarter_start.isoformat(),
            f"r{n}": quarter_end.isoformat(),
        }
    columns = "code, phase, start_on, end_on, quarter_start, quarter_end"
    return f"WITH w ({columns}) AS (VALUES {', '.join(rows)})", params


def gate_aggregate(session: Session, playbook: Playbook, today: date) -> dict[str, dict[str, float]]:
    """Per country at a gate, its metrics' numbers, from one SQL statement."""
    windows = _windows(session, playbook, today)
    phases = {phase for _, phase, _ in windows}
    # Each part reads only the countries whose current gate needs it, as the app does.
    parts = [
        sql.replace("JOIN w ON", f"JOIN w ON w.phase = '{phase}' AND")
        for phase, sql in _PARTS.values()
        if phase in phases
    ]
    if not parts:
        return {}
    cte, params = _values_cte(windows, today, session.get_bind().dialect.name == "postgresql")
    lists = {
        "won": tuple(load_pipeline_config().keys_of_kind("won")),
        "website": WEBSITE_TYPES,
        "done": DONE,
        "working": WORKING,
    }
    sql = f"{cte} {' UNION ALL '.join(parts)}"
    used = {name: values for name, values in lists.items() if f":{name}" in sql}
    statement = text(sql).bindparams(*[bindparam(name, expanding=True) for name in used])
    return _reduce(session.execute(statement, params | used).all(), session, playbook, today)


def _reduce(rows, session: Session, playbook: Playbook, today: date) -> dict[str, dict[str, float]]:
    """Amounts to the reporting currency with the same rate book as the app; the rest as counted."""
    book, target = rate_book(session), playbook.reporting_currency
    result: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for code, metric, key1, key2, value in rows:
        if metric == "open_pipeline":
            amount = book.convert(Decimal(int(value)) / 100, key1, target, today)
            result[code][metric] += float(amount)
        elif metric == "won":
            amount = book.convert(Decimal(int(value)) / 100, key1, target, date.fromisoformat(str(key2)[:10]))
            result[code]["won_amount"] += float(amount)
        else:
            result[code][f"{metric}:{key1}" if key1 else metric] += float(value)
    return result


# --- import ----------------------------------------------------------------------------------------

HUBSPOT_HEADERS = (
    "Record ID",
    "Deal Name",
    "Associated Company",
    "Amount",
    "Deal Stage",
    "Pipeline",
    "Deal Type",
    "Create Date",
    "Close Date",
    "Deal owner",
    "Currency",
    "Closed lost reason",
)
HUBSPOT_STAGES = {
    "appointmentscheduled": "appointment_scheduled",
    "qualifiedtobuy": "qualified",
    "presentationscheduled": "presentation",
    "contractsent": "negotiation",
    "closedwon": "won",
    "closedlost": "lost",
}


def hubspot_csv(rows: int, currency: str, today: date, seed: int = 7, prefix: str = "bench-") -> bytes:
    """A HubSpot deals export of `rows` new deals created over the last two years, their CRM ids
    `prefix` and a number."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HUBSPOT_HEADERS)
    for number in range(rows):
        created = today - timedelta(days=rng.randrange(30, 730))
        stage = rng.choice(list(HUBSPOT_STAGES))
        close = created + timedelta(days=rng.randrange(1, 29))
        writer.writerow(
            (
                f"{prefix}{number}",
                f"Deal {number}",
                f"Account {rng.randrange(5000)}",
                f"{rng.randrange(1000, 200000)}.00",
                stage,
                "default",
                "newbusiness",
                created.isoformat(),
                close.isoformat(),
                f"seller{rng.randrange(20)}@rollout.example",
                currency,
                "Price" if stage == "closedlost" else "",
            )
        )
    return out.getvalue().encode("utf-8")


def pandas_insert(engine: Engine, content: bytes, code: str) -> int:
    """The least an import can do: read the file with pandas and insert its rows in one executemany."""
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    now, stages = utc_now(), frame["Deal Stage"].map(HUBSPOT_STAGES)
    closed = stages.isin(["won", "lost"])
    created = pd.to_datetime(frame["Create Date"]).dt.date
    close = pd.to_datetime(frame["Close Date"]).dt.date
    rows = [
        {
            "country_code": code,
            "source": "hubspot",
            "crm_id": f"lower-bound-{crm_id}",
            "account": account,
            "amount": Decimal(amount),
            "currency": currency,
            "stage": stage,
            "created_on": created_on,
            "expected_close": close_on,
            "closed_on": close_on if is_closed else None,
            "owner": owner,
            "lost_reason": reason,
            "updated_at": now,
            "updated_by": "bench",
        }
        for crm_id, account, amount, currency, stage, created_on, close_on, is_closed, owner, reason in zip(
            frame["Record ID"],
            frame["Associated Company"],
            frame["Amount"],
            frame["Currency"],
            stages,
            created,
            close,
            closed,
            frame["Deal owner"],
            frame["Closed lost reason"],
            strict=True,
        )
    ]
    with engine.begin() as connection:
        connection.execute(insert(Opportunity), rows)
    return len(rows)


# --- calendar --------------------------------------------------------------------------------------


def holiday_generation(codes: list[str], years: range, locale: str) -> int:
    """python-holidays alone generating what the calendars of `codes` show for `locale`; the holidays made."""
    made = 0
    for code in codes:
        known = holidays.country_holidays(code)
        languages = {known.default_language, holiday_language(code, locale) or "en_US"}
        for language, category in ((lang, cat) for lang in languages for cat in known.supported_categories):
            made += len(
                holidays.country_holidays(code, years=years, categories=(category,), language=language)
            )
    return made


# --- import floor ----------------------------------------------------------------------------------


def import_floor(engine: Engine, code: str, crm_prefix: str, audit_after: int) -> float:
    """Seconds to write what an import wrote — the deals whose CRM id starts with `crm_prefix`, their first
    stage changes and the audit entries after id `audit_after` — again, as prepared tuples (new ids and CRM
    ids, read back beforehand) through the driver's executemany, in one transaction of the same database."""
    statements = _floor_statements(engine, code, crm_prefix, audit_after)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        if engine.dialect.name == "sqlite":  # the app's engine leaves BEGIN to its writers, as the app's do
            cursor.execute("BEGIN IMMEDIATE")
        for statement, rows in statements:
            cursor.executemany(statement, rows)
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def _floor_statements(
    engine: Engine, code: str, crm_prefix: str, audit_after: int
) -> list[tuple[str, list[tuple]]]:
    deal_columns = [c.name for c in Opportunity.__table__.columns]  # type: ignore[attr-defined]
    change_columns = [c.name for c in StageChange.__table__.columns]  # type: ignore[attr-defined]
    # The entry's own id is left to the database, as the import leaves it.
    audit_columns = [c.name for c in AuditEntry.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    read_audit = ", ".join("CAST(changes AS TEXT)" if c == "changes" else c for c in audit_columns)
    with engine.connect() as connection:
        deals = connection.execute(
            text(
                f"SELECT {', '.join(deal_columns)} FROM opportunity WHERE country_code = :code"
                " AND crm_id LIKE :prefix ORDER BY id"
            ),
            {"code": code, "prefix": f"{crm_prefix}%"},
        ).all()
        changes = connection.execute(
            text(
                f"SELECT {', '.join('sc.' + c for c in change_columns)} FROM stagechange sc"
                " JOIN opportunity o ON o.id = sc.opportunity_id WHERE o.country_code = :code"
                " AND o.crm_id LIKE :prefix ORDER BY sc.id"
            ),
            {"code": code, "prefix": f"{crm_prefix}%"},
        ).all()
        entries = connection.execute(
            text(f"SELECT {read_audit} FROM audit_entry WHERE id > :after ORDER BY id"),
            {"after": audit_after},
        ).all()
        deal_ids = _new_ids(connection, Opportunity.__table__, [d[0] for d in deals])  # type: ignore[attr-defined]
        change_ids = _new_ids(connection, StageChange.__table__, [c[0] for c in changes])  # type: ignore[attr-defined]
        connection.commit()
    crm = deal_columns.index("crm_id")
    deal_rows = [(deal_ids[d[0]], *d[1:crm], f"floor-{d[crm]}", *d[crm + 1 :]) for d in deals]
    change_rows = [(change_ids[c[0]], deal_ids[c[1]], *c[2:]) for c in changes]
    new_keys = {("opportunity", str(old)): str(new) for old, new in deal_ids.items()}
    new_keys |= {("stagechange", str(old)): str(new) for old, new in change_ids.items()}
    table, key = audit_columns.index("table_name"), audit_columns.index("record_key")
    audit_rows = [(*e[:key], new_keys.get((e[table], e[key]), e[key]), *e[key + 1 :]) for e in entries]
    mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"

    def insert_into(name: str, columns: list[str]) -> str:
        return f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"

    return [
        (insert_into("opportunity", deal_columns), deal_rows),
        (insert_into("stagechange", change_columns), change_rows),
        (insert_into("audit_entry", audit_columns), audit_rows),
    ]


def _new_ids(connection, table, old_ids: list[int]) -> dict[int, int]:
    """Old id → the id the app's own bulk insert would take next (a sequence on PostgreSQL), so inserts
    made later in the run do not meet it."""
    return dict(zip(old_ids, _next_ids(connection, table, len(old_ids)), strict=True))
