"""Sales analytics per market: funnel, signal trend, win rate, cycle length, markets side by side.

Counts, sums and the pairing of stage changes are SQL aggregates returning a few rows; medians are taken
from (value, count) rows, and only the per-currency totals are converted in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, cast, func
from sqlmodel import Session, col, select

from rollout.platform.countries import display_name, list_countries
from rollout.platform.models import Opportunity, Signal, StageChange
from rollout.sales.money import MissingRate, RateBook, rate_book
from rollout.sales.pipeline import PipelineConfig, load_pipeline_config


def funnel(session: Session, code: str, config: PipelineConfig | None = None) -> pd.DataFrame:
    """How many of the market's opportunities reached each open stage (or went further), and were won."""
    config = config or load_pipeline_config()
    order = config.keys_of_kind("open") + config.keys_of_kind("won")
    # Each deal's furthest stage in SQL, then how many deals stopped at each: a handful of rows, not every
    # stage change. A lost deal counts for the stages it reached before (its "lost" change is left out).
    rank = case({key: position for position, key in enumerate(order)}, value=StageChange.stage)
    furthest = (
        select(func.max(rank).label("furthest"))
        .join(Opportunity, col(Opportunity.id) == StageChange.opportunity_id)
        .where(Opportunity.country_code == code, col(StageChange.stage).in_(order))
        .group_by(col(StageChange.opportunity_id))
        .subquery()
    )
    stopped = dict(
        session.exec(select(furthest.c.furthest, func.count()).group_by(furthest.c.furthest)).all()
    )
    rows = [
        (config.stage(key).name, sum(n for f, n in stopped.items() if f >= position))
        for position, key in enumerate(order)
    ]
    return pd.DataFrame(rows, columns=["stage", "opportunities"])


def weekly_signals(
    session: Session, code: str, since: date, config: PipelineConfig | None = None
) -> pd.DataFrame:
    config = config or load_pipeline_config()
    query = (
        select(col(Signal.occurred_on), col(Signal.kind), func.count())
        .where(Signal.country_code == code, Signal.occurred_on >= since)
        .group_by(col(Signal.occurred_on), col(Signal.kind))
    )
    frame = pd.DataFrame(session.exec(query).all(), columns=["day", "kind", "signals"])
    if frame.empty:
        return pd.DataFrame(columns=["week", "kind", "signals"])
    frame["week"] = pd.to_datetime(frame["day"]).dt.to_period("W-SUN").dt.start_time.dt.date
    frame["kind"] = frame["kind"].map(config.signal_kinds).fillna(frame["kind"])
    return frame.groupby(["week", "kind"], as_index=False)[["signals"]].sum()


def _days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Whole days from `earlier` to `later` in SQL: PostgreSQL subtracts dates; SQLite stores them as
    ISO text, so it goes through julianday."""
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier


def median_of_counts(counts: list[tuple[int, int]]) -> float | int | None:
    """statistics.median of a multiset given as (value, how many times) pairs, without expanding it."""
    total = sum(n for _, n in counts)
    if not total:
        return None
    ordered = sorted(counts)

    def at(position: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        raise IndexError(position)

    low, high = at((total - 1) // 2), at(total // 2)
    return low if total % 2 else (low + high) / 2


def win_and_cycle(session: Session, codes: list[str], config: PipelineConfig | None = None) -> pd.DataFrame:
    """Per market: deals won and lost, win rate, and the median days from creation to a win."""
    config = config or load_pipeline_config()
    won_keys, lost_keys = config.keys_of_kind("won"), config.keys_of_kind("lost")
    in_markets = col(Opportunity.country_code).in_(codes)
    stats: dict[str, dict] = {code: {"won": 0, "lost": 0, "cycles": []} for code in codes}
    # Two queries, each read from the (stage, country, closed_on, created_on, …) index alone: counting the
    # lost deals beside the cycle lengths of the won ones sorted every closed deal of every market.
    outcomes = (
        select(Opportunity.country_code, Opportunity.stage, func.count())
        .where(in_markets, col(Opportunity.stage).in_(won_keys + lost_keys))
        .group_by(Opportunity.stage, Opportunity.country_code)
    )
    for code, stage, n in session.exec(outcomes):
        stats[code]["won" if stage in won_keys else "lost"] += n
    # One row per (market, cycle length of a win): the medians come from these counts. Grouped by the
    # subquery's column, since PostgreSQL does not match expressions with parameters.
    days = _days_between(Opportunity.closed_on, Opportunity.created_on, _dialect(session))
    wins = (
        select(Opportunity.country_code, days.label("days"))
        .where(in_markets, col(Opportunity.stage).in_(won_keys))
        .subquery()
    )
    cycles = select(wins.c.country_code, wins.c.days, func.count()).group_by(wins.c.country_code, wins.c.days)
    for code, length, n in session.exec(cycles):
        stats[code]["cycles"].append((length, n))
    rows = [
        {
            "code": code,
            "won": s["won"],
            "lost": s["lost"],
            "win_rate": s["won"] / (s["won"] + s["lost"]) if s["won"] + s["lost"] else None,
            "median_cycle_days": median_of_counts(s["cycles"]),
        }
        for code, s in stats.items()
    ]
    return pd.DataFrame(rows, columns=["code", "won", "lost", "win_rate", "median_cycle_days"])


def time_in_stage(
    session: Session, code: str, today: date, config: PipelineConfig | None = None
) -> pd.DataFrame:
    """Median days spent in each stage (a stage is left when the next change comes)."""
    config = config or load_pipeline_config()
    # Each change beside the next one of the same deal (LEAD), so the database does the pairing and
    # returns only how many moves took how many days per stage.
    left_on = (
        func.lead(StageChange.entered_on)
        .over(
            partition_by=col(StageChange.opportunity_id),
            order_by=(col(StageChange.entered_on), col(StageChange.id)),
        )
        .label("left_on")
    )
    changes = (
        select(col(StageChange.stage), col(StageChange.entered_on), left_on)
        .join(Opportunity, col(Opportunity.id) == StageChange.opportunity_id)
        .where(Opportunity.country_code == code)
        .subquery()
    )
    days = _days_between(changes.c.left_on, changes.c.entered_on, _dialect(session))
    query = (
        select(changes.c.stage, days, func.count())
        .where(changes.c.left_on.is_not(None))
        .group_by(changes.c.stage, days)
    )
    durations: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for stage, spent, n in session.exec(query):
        durations[stage].append((spent, n))
    rows = [
        {
            "stage": s.name,
            "median_days": median_of_counts(durations[s.key]),
            "moves_seen": sum(n for _, n in durations[s.key]),
        }
        for s in config.stages
        if s.kind == "open"
    ]
    return pd.DataFrame(rows, columns=["stage", "median_days", "moves_seen"])


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _converted(
    totals: list[tuple[str, str, Decimal]], book: RateBook, target: str, on: date, missing: set[str]
) -> dict[str, Decimal]:
    """Per market, the sum in `target`; currencies without a rate are left out and noted in `missing`."""
    result: dict[str, Decimal] = defaultdict(Decimal)
    for code, currency, amount in totals:
        try:
            result[code] += book.convert(amount, currency, target, on)
        except MissingRate as error:
            missing.add(error.currency)
    return result


def markets_side_by_side(
    session: Session,
    *,
    today: date,
    currency: str,
    locale: str,
    codes: list[str] | None = None,
    days: int = 90,
    config: PipelineConfig | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The markets' recent activity and totals in one table, amounts in `currency` at today's rate, and the
    currencies left out for want of a rate."""
    config = config or load_pipeline_config()
    countries = [c for c in list_countries(session) if codes is None or c.code in codes]
    codes = [c.code for c in countries]
    missing: set[str] = set()
    since = today - timedelta(days=days)
    # Asked per market shown: each count is then a short range of a (country, …, day) index per market,
    # where "everyone since a day" read every recent row of the table for its country.
    meetings = dict(
        session.exec(
            select(Signal.country_code, func.count())
            .where(
                col(Signal.country_code).in_(codes),
                Signal.kind == "meeting",
                Signal.qualified,
                Signal.occurred_on >= since,
            )
            .group_by(Signal.country_code)
        ).all()
    )
    opened = dict(
        session.exec(
            select(Opportunity.country_code, func.count())
            .where(col(Opportunity.country_code).in_(codes), Opportunity.created_on >= since)
            .group_by(Opportunity.country_code)
        ).all()
    )
    open_totals = session.exec(
        select(Opportunity.country_code, Opportunity.currency, func.sum(Opportunity.amount))
        .where(col(Opportunity.stage).in_(config.keys_of_kind("open")))
        .group_by(Opportunity.country_code, Opportunity.currency)
    ).all()
    pipeline = _converted(list(open_totals), rate_book(session), currency, today, missing)
    outcomes = win_and_cycle(session, codes, config).set_index("code")
    rows = [
        {
            "code": c.code,
            "country": display_name(c, locale),
            f"qualified_meetings_{days}d": meetings.get(c.code, 0),
            f"opportunities_opened_{days}d": opened.get(c.code, 0),
            "open_pipeline": float(pipeline.get(c.code, 0)),
            "won": int(outcomes["won"].loc[c.code]),
            "win_rate": outcomes.loc[c.code, "win_rate"],
            "median_cycle_days": outcomes.loc[c.code, "median_cycle_days"],
        }
        for c in countries
    ]
    return pd.DataFrame(rows), sorted(missing)
