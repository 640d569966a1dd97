"""Sales analytics per market: funnel, signal trend, win rate, cycle length, markets side by side.

Counts and sums are SQL aggregates; only the per-currency totals are converted in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.countries import display_name, list_countries
from rollout.models import Opportunity, Signal, StageChange
from rollout.money import MissingRate, RateBook, rate_book
from rollout.pipeline import PipelineConfig, load_pipeline_config


def funnel(session: Session, code: str, config: PipelineConfig | None = None) -> pd.DataFrame:
    """How many of the market's opportunities reached each open stage (or went further), and were won."""
    config = config or load_pipeline_config()
    order = config.keys_of_kind("open") + config.keys_of_kind("won")
    rank = {key: position for position, key in enumerate(order)}
    query = (
        select(StageChange.opportunity_id, StageChange.stage)
        .distinct()
        .join(Opportunity, col(Opportunity.id) == StageChange.opportunity_id)
        .where(Opportunity.country_code == code)
    )
    furthest: dict[int, int] = {}
    for opportunity_id, stage in session.exec(query):
        if stage in rank:  # a lost deal counts for the stages it reached before
            furthest[opportunity_id] = max(furthest.get(opportunity_id, 0), rank[stage])
    rows = [
        (config.stage(key).name, sum(1 for f in furthest.values() if f >= position))
        for position, key in enumerate(order)
    ]
    return pd.DataFrame(rows, columns=["stage", "opportunities"])


def weekly_signals(
    session: Session, code: str, since: date, config: PipelineConfig | None = None
) -> pd.DataFrame:
    config = config or load_pipeline_config()
    query = (
        select(Signal.occurred_on, Signal.kind, func.count())
        .where(Signal.country_code == code, Signal.occurred_on >= since)
        .group_by(Signal.occurred_on, Signal.kind)
    )
    frame = pd.DataFrame(session.exec(query).all(), columns=["day", "kind", "signals"])
    if frame.empty:
        return pd.DataFrame(columns=["week", "kind", "signals"])
    frame["week"] = pd.to_datetime(frame["day"]).dt.to_period("W-SUN").dt.start_time.dt.date
    frame["kind"] = frame["kind"].map(config.signal_kinds).fillna(frame["kind"])
    return frame.groupby(["week", "kind"], as_index=False)["signals"].sum()


def _closed(session: Session, codes: list[str], config: PipelineConfig) -> list[tuple[str, str, date, date]]:
    closed_keys = config.keys_of_kind("won") + config.keys_of_kind("lost")
    query = select(
        Opportunity.country_code, Opportunity.stage, Opportunity.created_on, Opportunity.closed_on
    ).where(col(Opportunity.country_code).in_(codes), col(Opportunity.stage).in_(closed_keys))
    return list(session.exec(query).all())


def win_and_cycle(session: Session, codes: list[str], config: PipelineConfig | None = None) -> pd.DataFrame:
    """Per market: deals won and lost, win rate, and the median days from creation to a win."""
    config = config or load_pipeline_config()
    won_keys = set(config.keys_of_kind("won"))
    stats: dict[str, dict] = {code: {"won": 0, "lost": 0, "cycles": []} for code in codes}
    for code, stage, created_on, closed_on in _closed(session, codes, config):
        if stage in won_keys:
            stats[code]["won"] += 1
            stats[code]["cycles"].append((closed_on - created_on).days)
        else:
            stats[code]["lost"] += 1
    rows = [
        {
            "code": code,
            "won": s["won"],
            "lost": s["lost"],
            "win_rate": s["won"] / (s["won"] + s["lost"]) if s["won"] + s["lost"] else None,
            "median_cycle_days": median(s["cycles"]) if s["cycles"] else None,
        }
        for code, s in stats.items()
    ]
    return pd.DataFrame(rows, columns=["code", "won", "lost", "win_rate", "median_cycle_days"])


def time_in_stage(
    session: Session, code: str, today: date, config: PipelineConfig | None = None
) -> pd.DataFrame:
    """Median days spent in each stage (a stage is left when the next change comes)."""
    config = config or load_pipeline_config()
    query = (
        select(StageChange.opportunity_id, StageChange.stage, StageChange.entered_on)
        .join(Opportunity, col(Opportunity.id) == StageChange.opportunity_id)
        .where(Opportunity.country_code == code)
        .order_by(StageChange.opportunity_id, StageChange.entered_on, StageChange.id)
    )
    durations: dict[str, list[int]] = defaultdict(list)
    previous = None
    for opportunity_id, stage, entered_on in session.exec(query):
        if previous and previous[0] == opportunity_id:
            durations[previous[1]].append((entered_on - previous[2]).days)
        previous = (opportunity_id, stage, entered_on)
    rows = [
        {
            "stage": s.name,
            "median_days": median(durations[s.key]) if durations[s.key] else None,
            "moves_seen": len(durations[s.key]),
        }
        for s in config.stages
        if s.kind == "open"
    ]
    return pd.DataFrame(rows, columns=["stage", "median_days", "moves_seen"])


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
    meetings = dict(
        session.exec(
            select(Signal.country_code, func.count())
            .where(Signal.kind == "meeting", Signal.qualified, Signal.occurred_on >= since)
            .group_by(Signal.country_code)
        ).all()
    )
    opened = dict(
        session.exec(
            select(Opportunity.country_code, func.count())
            .where(Opportunity.created_on >= since)
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
            "won": int(outcomes.loc[c.code, "won"]),
            "win_rate": outcomes.loc[c.code, "win_rate"],
            "median_cycle_days": outcomes.loc[c.code, "median_cycle_days"],
        }
        for c in countries
    ]
    return pd.DataFrame(rows), sorted(missing)
