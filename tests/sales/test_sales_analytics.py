"""Sales analytics per market: funnel, weekly signals, win rate and cycle, time in stage, side by side."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rollout.platform.db import read_session, write_session
from rollout.sales.analytics import funnel, markets_side_by_side, time_in_stage, weekly_signals, win_and_cycle
from tests.conftest import TODAY
from tests.factories import add
from tests.sales_factories import deal, load_rates, move, signal

OCT_1 = date(2026, 10, 1)


@pytest.fixture
def markets(engine):
    add(engine, "ES", date(2026, 1, 1))
    add(engine, "IN", date(2026, 2, 1))
    return engine


def rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


def walk(engine, code: str, created: date, *steps: tuple[date, str]) -> int:
    """A deal created on `created`, then moved to each (day, stage) in turn."""
    opportunity_id = deal(engine, code, created_on=created, today=created)
    for day, stage in steps:
        move(engine, opportunity_id, day, stage=stage)
    return opportunity_id


# --- funnel -----------------------------------------------------------------------------------------


def test_funnel_counts_each_deal_up_to_the_furthest_stage_it_reached(markets):
    walk(  # lost after the proposal: counts up to Proposal only
        markets,
        "ES",
        OCT_1,
        (date(2026, 10, 5), "qualified"),
        (date(2026, 10, 10), "presentation"),
        (date(2026, 10, 15), "proposal"),
        (date(2026, 10, 20), "lost"),
    )
    walk(markets, "ES", OCT_1, (date(2026, 10, 25), "won"))  # won straight away: went through every stage
    walk(markets, "ES", OCT_1)  # still at the first stage
    walk(  # India (never counted for Spain): back to Qualified after reaching Negotiation
        markets, "IN", OCT_1, (date(2026, 10, 5), "negotiation"), (date(2026, 10, 6), "qualified")
    )
    with read_session(markets) as session:
        spain, india = funnel(session, "ES"), funnel(session, "IN")
    assert rows(spain) == [
        ("Appointment scheduled", 3),
        ("Qualified", 2),
        ("Presentation", 2),
        ("Proposal", 2),
        ("Negotiation", 1),
        ("Won", 1),
    ]
    assert rows(india) == [
        ("Appointment scheduled", 1),
        ("Qualified", 1),
        ("Presentation", 1),
        ("Proposal", 1),
        ("Negotiation", 1),  # the furthest it got, though it is back at Qualified
        ("Won", 0),
    ]


def test_funnel_of_a_market_without_deals_is_all_zero(markets):
    with read_session(markets) as session:
        frame = funnel(session, "ES")
    assert list(frame.columns) == ["stage", "opportunities"]
    assert frame["opportunities"].tolist() == [0, 0, 0, 0, 0, 0]


# --- weekly signals ---------------------------------------------------------------------------------


def test_weekly_signals_group_by_monday_and_kind_name(markets):
    signal(markets, "ES", date(2026, 10, 31))  # before `since`
    signal(markets, "ES", date(2026, 11, 1))  # a Sunday: the week of Monday 26 October
    signal(markets, "ES", date(2026, 11, 2))  # Monday
    signal(markets, "ES", date(2026, 11, 8), qualified=True)  # Sunday, same week
    signal(markets, "ES", date(2026, 11, 8))
    signal(markets, "ES", date(2026, 11, 4), "demo")
    signal(markets, "ES", date(2026, 11, 9), "content_request", content_title="Pricing sheet")
    signal(markets, "IN", date(2026, 11, 3))
    with read_session(markets) as session:
        frame = weekly_signals(session, "ES", since=date(2026, 11, 1))
    assert list(frame.columns) == ["week", "kind", "signals"]
    assert sorted(rows(frame)) == [
        (date(2026, 10, 26), "Meeting", 1),
        (date(2026, 11, 2), "Demo", 1),
        (date(2026, 11, 2), "Meeting", 3),
        (date(2026, 11, 9), "Content request", 1),
    ]


def test_weekly_signals_without_signals_is_an_empty_frame(markets):
    with read_session(markets) as session:
        frame = weekly_signals(session, "ES", since=date(2026, 11, 1))
    assert frame.empty
    assert list(frame.columns) == ["week", "kind", "signals"]


# --- win rate, cycle, time in stage -----------------------------------------------------------------


def test_win_rate_and_median_cycle(markets):
    for closed in (date(2026, 10, 11), date(2026, 10, 31), date(2026, 11, 20)):  # 10, 30 and 50 days
        deal(markets, "ES", created_on=OCT_1, stage="won", closed_on=closed)
    deal(markets, "ES", created_on=OCT_1, stage="lost", closed_on=date(2026, 10, 2))
    deal(markets, "ES", created_on=OCT_1, stage="proposal")  # open: neither
    deal(markets, "IN", created_on=OCT_1, stage="lost", closed_on=date(2026, 11, 1))
    with read_session(markets) as session:
        frame = win_and_cycle(session, ["ES", "IN", "JP"])
    assert list(frame.columns) == ["code", "won", "lost", "win_rate", "median_cycle_days"]
    assert rows(frame) == [("ES", 3, 1, 0.75, 30), ("IN", 0, 1, 0.0, None), ("JP", 0, 0, None, None)]


def test_median_cycle_of_an_even_count_is_the_mean_of_the_middle_two(markets):
    for closed in (date(2026, 10, 11), date(2026, 10, 16)):  # 10 and 15 days
        deal(markets, "ES", created_on=OCT_1, stage="won", closed_on=closed)
    with read_session(markets) as session:
        assert win_and_cycle(session, ["ES"])["median_cycle_days"].tolist() == [12.5]


def test_time_in_stage_is_the_median_of_the_days_between_changes(markets):
    created = date(2026, 11, 1)
    walk(markets, "ES", created, (date(2026, 11, 5), "qualified"), (date(2026, 11, 15), "presentation"))
    walk(markets, "ES", created, (date(2026, 11, 11), "qualified"), (date(2026, 11, 20), "won"))
    walk(markets, "IN", created, (date(2026, 11, 25), "qualified"))
    with read_session(markets) as session:
        frame = time_in_stage(session, "ES", today=TODAY)
    assert list(frame.columns) == ["stage", "median_days", "moves_seen"]
    assert rows(frame) == [
        ("Appointment scheduled", 7, 2),  # 4 and 10 days
        ("Qualified", 9.5, 2),  # 10 and 9 days
        ("Presentation", None, 0),  # the first deal is still there: no move seen yet
        ("Proposal", None, 0),
        ("Negotiation", None, 0),
    ]


# --- markets side by side ---------------------------------------------------------------------------


@pytest.fixture
def two_markets(markets):
    load_rates(markets)  # 1 EUR = 110 INR from 2026-09-01
    deal(markets, "ES", amount="10000", created_on=OCT_1, stage="proposal")
    deal(markets, "ES", amount="5000", created_on=date(2026, 9, 1), stage="won", closed_on=OCT_1)
    deal(markets, "IN", amount="220000", created_on=date(2026, 11, 1))
    deal(markets, "IN", amount="110000", created_on=date(2026, 5, 1), stage="negotiation")  # over 90 days old
    deal(
        markets, "IN", amount="1000", created_on=date(2026, 9, 10), stage="lost", closed_on=date(2026, 10, 10)
    )
    for day, qualified in (
        (date(2026, 9, 1), True),
        (date(2026, 11, 2), True),
        (date(2026, 11, 3), False),
        (date(2026, 8, 1), True),
    ):
        signal(markets, "ES", day, qualified=qualified)
    signal(markets, "IN", date(2026, 11, 20), qualified=True)
    return markets


def side_by_side(engine, currency: str) -> pd.DataFrame:
    with read_session(engine) as session:
        return markets_side_by_side(session, today=TODAY, currency=currency, locale="en")[0]


def test_markets_side_by_side_in_euros(two_markets):
    frame = side_by_side(two_markets, "EUR")
    assert list(frame.columns) == [
        "code",
        "country",
        "qualified_meetings_90d",
        "opportunities_opened_90d",
        "open_pipeline",
        "won",
        "win_rate",
        "median_cycle_days",
    ]
    assert rows(frame) == [
        # since 2026-08-28: 2 qualified meetings (not 1 August, not the unqualified one); 2 deals opened
        ("ES", "Spain", 2, 2, 10000.0, 1, 1.0, 30),
        ("IN", "India", 1, 2, 3000.0, 0, 0.0, None),  # 330,000 INR open at 110 INR/EUR
    ]


def test_markets_side_by_side_of_some_markets_counts_theirs_alone(two_markets):
    with read_session(two_markets) as session:
        spain, _ = markets_side_by_side(session, today=TODAY, currency="EUR", locale="en", codes=["ES"])
    assert rows(spain) == [("ES", "Spain", 2, 2, 10000.0, 1, 1.0, 30)]


def test_markets_side_by_side_in_rupees(two_markets):
    frame = side_by_side(two_markets, "INR")
    assert frame.set_index("code")["open_pipeline"].to_dict() == {"ES": 1_100_000.0, "IN": 330_000.0}


def test_markets_side_by_side_in_a_currency_without_rate_names_it(two_markets, engine):
    with read_session(engine) as session:
        _, missing = markets_side_by_side(session, today=TODAY, currency="JPY", locale="en")
    assert missing == ["JPY"]  # the currency that has no rate, not the ones being converted


def test_a_market_without_activity_shows_zeros(markets):
    frame = side_by_side(markets, "EUR")
    assert rows(frame) == [
        ("ES", "Spain", 0, 0, 0.0, 0, None, None),
        ("IN", "India", 0, 0, 0.0, 0, None, None),
    ]


def test_a_currency_without_rate_is_left_out_and_named(engine):
    from rollout.sales.pipeline import create_opportunity
    from tests.factories import add

    add(engine, "SE", date(2026, 1, 5))
    with write_session(engine) as session:
        create_opportunity(
            session,
            code="SE",
            values={"account": "Nordic AB", "amount": "1000"},
            by="sales@rollout.example",
            today=TODAY,
        )
    with read_session(engine) as session:
        frame, missing = markets_side_by_side(session, today=TODAY, currency="EUR", locale="en", codes=["SE"])
    assert missing == ["SEK"] and list(frame["code"]) == ["SE"] and frame.loc[0, "open_pipeline"] == 0
