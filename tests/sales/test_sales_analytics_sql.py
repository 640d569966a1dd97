"""The SQL aggregates of sales_analytics against plain-Python references (the code they replaced), on
seeded random deals with same-day changes, lost deals, deals with a single change and other markets."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from rollout.platform.db import read_session, write_session
from rollout.platform.models import Opportunity, StageChange, utc_now
from rollout.sales.analytics import funnel, median_of_counts, time_in_stage, win_and_cycle
from rollout.sales.pipeline import load_pipeline_config
from tests.conftest import ACTOR, TODAY
from tests.factories import add

CONFIG = load_pipeline_config()
START = date(2026, 1, 1)


def random_deals(engine, code: str, seed: int, count: int = 60) -> None:
    """`count` deals, each walking through random stages (forwards, backwards, the same day or later)."""
    rng = random.Random(seed)
    keys = [stage.key for stage in CONFIG.stages]
    with write_session(engine) as session:
        session.info["actor"] = ACTOR  # rows written directly, as the benchmark data is, still name a user
        for number in range(count):
            created = START + timedelta(days=rng.randrange(200))
            day, stage = created, keys[0]
            changes = [(day, stage)]
            for _ in range(rng.randrange(6)):
                day, stage = day + timedelta(days=rng.choice([0, 0, 1, 3, 7, 30])), rng.choice(keys)
                changes.append((day, stage))
            closed = CONFIG.stage(stage).kind != "open"
            deal = Opportunity(
                country_code=code,
                account=f"Account {number}",
                amount=Decimal("100"),
                currency="EUR",
                stage=stage,
                created_on=created,
                closed_on=day if closed else None,
                updated_at=utc_now(),
                updated_by=ACTOR,
            )
            session.add(deal)
            session.flush()
            for entered_on, entered in changes:
                session.add(
                    StageChange(
                        opportunity_id=deal.id,
                        stage=entered,
                        entered_on=entered_on,
                        recorded_at=utc_now(),
                        recorded_by=ACTOR,
                    )
                )


@pytest.fixture
def deals(engine):
    add(engine, "ES", START)
    add(engine, "IN", START)
    random_deals(engine, "ES", seed=1)
    random_deals(engine, "IN", seed=2, count=30)
    return engine


# --- references: the Python that loaded every row ---------------------------------------------------


def reference_funnel(session, code: str) -> list[tuple]:
    order = CONFIG.keys_of_kind("open") + CONFIG.keys_of_kind("won")
    rank = {key: position for position, key in enumerate(order)}
    query = (
        select(StageChange.opportunity_id, StageChange.stage)
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .where(Opportunity.country_code == code)
    )
    furthest: dict[int, int] = {}
    for opportunity_id, stage in session.exec(query):
        if stage in rank:
            furthest[opportunity_id] = max(furthest.get(opportunity_id, 0), rank[stage])
    return [
        (CONFIG.stage(key).name, sum(1 for f in furthest.values() if f >= position))
        for position, key in enumerate(order)
    ]


def reference_time_in_stage(session, code: str) -> list[tuple]:
    query = (
        select(StageChange.opportunity_id, StageChange.stage, StageChange.entered_on)
        .join(Opportunity, Opportunity.id == StageChange.opportunity_id)
        .where(Opportunity.country_code == code)
        .order_by(StageChange.opportunity_id, StageChange.entered_on, StageChange.id)
    )
    durations: dict[str, list[int]] = defaultdict(list)
    previous = None
    for opportunity_id, stage, entered_on in session.exec(query):
        if previous and previous[0] == opportunity_id:
            durations[previous[1]].append((entered_on - previous[2]).days)
        previous = (opportunity_id, stage, entered_on)
    return [
        (s.name, median(durations[s.key]) if durations[s.key] else None, len(durations[s.key]))
        for s in CONFIG.stages
        if s.kind == "open"
    ]


def reference_win_and_cycle(session, codes: list[str]) -> list[tuple]:
    won_keys = CONFIG.keys_of_kind("won")
    closed_keys = won_keys + CONFIG.keys_of_kind("lost")
    stats = {code: {"won": 0, "lost": 0, "cycles": []} for code in codes}
    query = select(Opportunity).where(Opportunity.stage.in_(closed_keys))
    for deal in session.exec(query):
        if deal.country_code not in stats:
            continue
        if deal.stage in won_keys:
            stats[deal.country_code]["won"] += 1
            stats[deal.country_code]["cycles"].append((deal.closed_on - deal.created_on).days)
        else:
            stats[deal.country_code]["lost"] += 1
    return [
        (
            code,
            s["won"],
            s["lost"],
            s["won"] / (s["won"] + s["lost"]) if s["won"] + s["lost"] else None,
            median(s["cycles"]) if s["cycles"] else None,
        )
        for code, s in stats.items()
    ]


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


# --- the comparisons --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ES", "IN", "JP"])
def test_funnel_matches_the_python_reference(deals, code):
    with read_session(deals) as session:
        assert rows(funnel(session, code)) == reference_funnel(session, code)


@pytest.mark.parametrize("code", ["ES", "IN", "JP"])
def test_time_in_stage_matches_the_python_reference(deals, code):
    with read_session(deals) as session:
        assert rows(time_in_stage(session, code, today=TODAY)) == reference_time_in_stage(session, code)


def test_win_and_cycle_matches_the_python_reference(deals):
    codes = ["ES", "IN", "JP"]
    with read_session(deals) as session:
        assert rows(win_and_cycle(session, codes)) == reference_win_and_cycle(session, codes)


@given(st.lists(st.integers(min_value=-50, max_value=400), min_size=1, max_size=40))
def test_median_of_counts_is_statistics_median(values):
    counts: dict[int, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    assert median_of_counts(list(counts.items())) == median(values)
    assert type(median_of_counts(list(counts.items()))) is type(median(values))


def test_median_of_nothing_is_none():
    assert median_of_counts([]) is None
