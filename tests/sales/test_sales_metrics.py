"""The sales gate metrics, read through gate evaluation with the shipped playbook (SQLite and PostgreSQL).

India (INR) starts its sales test on 2026-07-01; the gate is due on 2026-10-01, 92 days later, so
2026-07-31 is day 30. Rates: 1 EUR = 100 INR from 2026-06-01 and 110 INR from 2026-09-01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rollout.gates import metrics
from rollout.gates.metrics import MetricWindow
from rollout.gates.status import NOT_MEASURED, OFF_TRACK, ON_TRACK
from rollout.platform.db import read_session
from rollout.platform.models import Decision
from rollout.sales.metrics import deals_won, won_amount
from tests.conftest import TODAY
from tests.factories import add, criterion, decide, status
from tests.sales_factories import closed_deal, deal, import_file, load_rates, signal

START = date(2026, 7, 1)
DAY_30 = date(2026, 7, 31)
GO_DAY = date(2026, 9, 1)


@pytest.fixture
def india(engine):
    add(engine, "IN", START)
    add(engine, "ES", START)  # a neighbour whose activity must never count for India
    return "IN"


@pytest.fixture
def sales_test(engine, india):
    """Signals and deals around India's sales-test window (see the module docstring)."""
    load_rates(engine)
    for day in (1, 8, 15, 22, 31):
        signal(engine, "IN", date(2026, 7, day), qualified=True)
    signal(engine, "IN", date(2026, 6, 30), qualified=True)  # before the start
    signal(engine, "IN", date(2026, 8, 5), qualified=True)  # after day 30
    signal(engine, "IN", date(2026, 7, 10), qualified=False)
    signal(engine, "IN", date(2026, 7, 11))
    signal(engine, "IN", date(2026, 7, 12), "demo", qualified=True)  # only meetings are qualified
    signal(engine, "ES", date(2026, 7, 10), qualified=True)
    deal(engine, "IN", account="A", amount="100000", created_on=date(2026, 6, 20))  # before the window
    deal(engine, "IN", account="B", amount="200000", created_on=date(2026, 7, 10), stage="presentation")
    # closed after day 30: still open at day 30's end
    closed_deal(engine, "IN", "won", "300000", date(2026, 7, 15), date(2026, 8, 10), account="C")
    closed_deal(engine, "IN", "lost", "40000", date(2026, 7, 5), date(2026, 7, 20), account="D")
    deal(engine, "IN", account="E", amount="50000", created_on=date(2026, 8, 2))
    deal(engine, "ES", account="Spanish", amount="99999", created_on=date(2026, 7, 10))
    return "IN"


def values(gate) -> dict[str, float | None]:
    return {c.key: c.value for c in gate.criteria if c.kind == "metric"}


def test_the_sales_metrics_are_registered():
    assert {
        "qualified_meetings",
        "opportunities_opened",
        "open_pipeline_amount",
        "deals_won",
        "won_amount",
    } <= set(metrics.registered())


def test_sales_test_gate_on_day_30(engine, playbook, sales_test):
    gate = status(engine, playbook, "IN", DAY_30)
    assert (gate.phase, gate.days_in_phase, gate.planned_days) == ("sales_test", 30, 92)
    assert values(gate) == {
        "qualified_meetings": 5.0,  # 1, 8, 15, 22 and 31 July; not 30 June, 5 August, unqualified or demos
        "opportunities_opened": 3.0,  # B, C, D; not A (June), E (August) or the Spanish deal
        "open_pipeline": 6000.0,  # A + B + C = 600,000 INR at 100 INR/EUR (C closes after the end)
    }
    meetings = criterion(gate, "qualified_meetings")
    assert (meetings.met, meetings.forecast) == (False, ON_TRACK)
    assert meetings.projected == pytest.approx(5 * 92 / 30)  # 15.33 >= 15
    opened = criterion(gate, "opportunities_opened")
    assert (opened.met, opened.forecast, opened.projected) == (False, ON_TRACK, pytest.approx(9.2))
    pipeline = criterion(gate, "open_pipeline")
    assert (pipeline.met, pipeline.forecast) == (False, OFF_TRACK)
    assert pipeline.projected == pytest.approx(6000 * 92 / 30)
    assert (gate.ready, gate.forecast) == (False, OFF_TRACK)


def test_the_window_grows_with_the_evaluation_day(engine, playbook, sales_test):
    gate = status(engine, playbook, "IN", date(2026, 8, 31))
    assert values(gate) == {
        "qualified_meetings": 6.0,  # 5 August joins
        "opportunities_opened": 4.0,  # E joins
        "open_pipeline": 3500.0,  # A + B + E = 350,000 INR at 100 (C closed on 10 August)
    }


def test_open_pipeline_converts_at_the_rate_of_the_window_end(engine, playbook, sales_test):
    gate = status(engine, playbook, "IN", date(2026, 9, 1))
    assert criterion(gate, "open_pipeline").value == 3181.82  # 350,000 INR at 110 INR/EUR


def test_enough_of_everything_is_met(engine, playbook, india):
    for day in range(1, 16):
        signal(engine, "ES", date(2026, 7, day), qualified=True)
    for number in range(5):
        deal(engine, "ES", account=f"Deal {number}", amount="20000", created_on=date(2026, 7, 20))
    gate = status(engine, playbook, "ES", DAY_30)
    assert values(gate) == {
        "qualified_meetings": 15.0,
        "opportunities_opened": 5.0,
        "open_pipeline": 100000.0,
    }
    assert all(c.met for c in gate.criteria if c.kind == "metric")
    assert gate.forecast == ON_TRACK
    assert gate.ready is False  # the market memo is a check nobody ticked


def test_a_missing_rate_leaves_the_pipeline_not_measured_and_unmet(engine, playbook, india):
    deal(engine, "ES", account="Big", amount="500000", created_on=date(2026, 7, 10))  # EUR: no rate needed
    deal(engine, "ES", account="Tokyo", amount="1000", currency="JPY", created_on=date(2026, 7, 10))
    gate = status(engine, playbook, "ES", DAY_30)
    pipeline = criterion(gate, "open_pipeline")
    assert (pipeline.value, pipeline.met, pipeline.forecast, pipeline.projected) == (
        None,
        False,
        NOT_MEASURED,
        None,
    )
    assert pipeline.note == "no JPY exchange rate on or before 2026-07-31: add one on the Exchange rates page"
    assert criterion(gate, "opportunities_opened").value == 2.0  # the other metrics are still measured


def test_no_rate_at_all_for_the_country_currency(engine, playbook, india):
    deal(engine, "IN", account="A", amount="100", created_on=date(2026, 7, 10))
    pipeline = criterion(status(engine, playbook, "IN", DAY_30), "open_pipeline")
    assert (pipeline.value, pipeline.met) == (None, False)
    assert pipeline.note.startswith("no INR exchange rate on or before 2026-07-31")


@pytest.fixture
def first_signings(engine, playbook, sales_test):
    """Deals won around the Go on 2026-09-01 that moves India into first signings."""
    # won before the Go: part of the sales test, not of first signings
    closed_deal(engine, "IN", "won", "1000000", date(2026, 8, 1), date(2026, 8, 31), account="K")
    # won on the Go day itself: the new window starts that day
    closed_deal(engine, "IN", "won", "110000", date(2026, 8, 20), GO_DAY, account="M")
    closed_deal(engine, "IN", "won", "220000", date(2026, 8, 15), date(2026, 9, 15), account="G")
    closed_deal(engine, "IN", "won", "5000", date(2026, 9, 2), date(2026, 10, 1), account="H", currency="EUR")
    closed_deal(engine, "IN", "lost", "70000", date(2026, 9, 5), date(2026, 9, 20), account="L")
    closed_deal(engine, "ES", "won", "70000", date(2026, 9, 5), date(2026, 9, 20), account="Spanish win")
    return decide(engine, playbook, "IN", "go", GO_DAY, rationale="promising", today=TODAY)


def test_deals_won_after_the_go_count_at_each_close_date_rate(engine, playbook, first_signings):
    gate = status(engine, playbook, "IN", date(2026, 10, 15))
    assert (gate.phase, gate.phase_started) == ("first_signings", GO_DAY)
    assert values(gate) == {
        "deals_won": 3.0,  # M, G and H; not K (before the Go), L (lost) or the Spanish win
        # M 110,000 INR at 110 + G 220,000 INR at 110 + H €5,000
        "won_amount": 8000.0,
    }
    assert criterion(gate, "deals_won").met is True
    assert criterion(gate, "won_amount").met is False


def test_won_amount_uses_the_rate_of_each_close_date(engine, playbook, india):
    load_rates(engine)
    decide(engine, playbook, "IN", "go", date(2026, 7, 20), rationale="early", today=TODAY)
    closed_deal(engine, "IN", "won", "100000", date(2026, 7, 25), date(2026, 8, 31), account="Summer")
    closed_deal(engine, "IN", "won", "110000", date(2026, 7, 25), date(2026, 9, 1), account="Autumn")
    # 100,000 INR at 100 + 110,000 INR at 110: one rate for the whole sum would give 1,909.09 or 2,100.00
    assert criterion(status(engine, playbook, "IN", date(2026, 9, 30)), "won_amount").value == 2000.0


def test_a_won_deal_without_a_rate_leaves_the_won_amount_not_measured(engine, playbook, first_signings):
    closed_deal(
        engine, "IN", "won", "1000", date(2026, 9, 2), date(2026, 9, 20), account="Rio", currency="BRL"
    )
    gate = status(engine, playbook, "IN", date(2026, 10, 15))
    won = criterion(gate, "won_amount")
    assert (won.value, won.met, won.forecast) == (None, False, NOT_MEASURED)
    assert won.note == "no BRL exchange rate on or before 2026-09-20: add one on the Exchange rates page"
    assert criterion(gate, "deals_won").value == 4.0


def test_the_go_decision_froze_the_sales_evidence(engine, first_signings):
    decision: Decision = first_signings
    evidence = decision.evidence
    assert (evidence["phase"], evidence["as_of"]) == ("sales_test", "2026-09-01")
    frozen = {c["key"]: (c["value"], c["met"]) for c in evidence["criteria"]}
    assert frozen == {
        "qualified_meetings": (6.0, False),
        "opportunities_opened": (7.0, True),  # B, C, D, E, G, K, M
        # open at the end of 1 September: A, B, E and G (closes on 15 September) = 570,000 INR at 110
        "open_pipeline": (5181.82, False),
        "market_memo": (False, False),
    }


def test_metrics_read_decimal_amounts_exactly(engine, playbook, india):
    for amount in ("0.10", "0.20", "0.30"):
        deal(engine, "ES", account="Cents", amount=Decimal(amount), created_on=date(2026, 7, 10))
    assert criterion(status(engine, playbook, "ES", DAY_30), "open_pipeline").value == 0.6


def test_a_win_dated_ahead_counts_on_the_day_it_was_imported(engine, india):
    """Marked won in the CRM before its planned close date (15 December), imported on 26 November."""
    load_rates(engine)
    header = ["ID", "Account", "Amount", "Stage", "Created", "Expected close"]
    content = f"{','.join(header)}\nw1,Acme,5000,Won,2026-11-02,2026-12-15\n".encode()
    mapping = dict(
        zip(("crm_id", "account", "amount", "stage", "created_on", "expected_close"), header, strict=True)
    )
    outcome = import_file(engine, "IN", content, format="mapped", mapping=mapping)
    assert len(outcome.warnings) == 1
    november = MetricWindow("IN", date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 30))
    december = MetricWindow("IN", date(2026, 12, 1), date(2026, 12, 31), date(2026, 12, 31))
    with read_session(engine) as session:
        assert deals_won(session, [november]) == {"IN": 1.0}
        assert deals_won(session, [december]) == {"IN": 0.0}
        assert won_amount(session, [november]) == {"IN": 45.45}  # 5,000 INR at 110 INR/EUR
