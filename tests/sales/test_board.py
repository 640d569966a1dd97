"""The board of a market's open deals by stage: cards with both amounts and days in their stage."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from rollout.platform.db import read_session
from rollout.sales.board import open_deal_board
from rollout.sales.money import rate_book
from rollout.sales.pipeline import load_pipeline_config
from tests.conftest import TODAY
from tests.factories import add
from tests.sales_factories import closed_deal, deal, load_rates, move

CONFIG = load_pipeline_config()


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 1))
    add(engine, "IT", date(2026, 1, 1))
    load_rates(engine)
    return "ES"


def board(engine, code="ES"):
    with read_session(engine) as session:
        return open_deal_board(session, code, CONFIG, rate_book(session), "EUR", TODAY)


def test_open_deals_are_shown_by_stage_with_both_amounts_and_days_in_stage(engine, spain):
    created = TODAY - timedelta(days=20)
    small = deal(engine, "ES", name="Small", account="Acme", amount="100", currency="USD", owner="Ana",
                 created_on=created, stage="qualified")  # fmt: skip
    big = deal(engine, "ES", name="Big", account="Beta", amount="900", created_on=created, stage="qualified")
    moved = deal(engine, "ES", account="Gamma", amount="50", created_on=created, stage="qualified")
    move(engine, moved, TODAY - timedelta(days=3), stage="proposal")
    closed_deal(engine, "ES", "won", "700", created, TODAY - timedelta(days=1))
    deal(engine, "IT", account="Elsewhere", stage="qualified")
    columns = board(engine)
    assert [column.stage for column in columns] == [s.key for s in CONFIG.stages if s.kind == "open"]
    qualified = next(column for column in columns if column.stage == "qualified")
    assert qualified.deals == 2
    assert [card.id for card in qualified.cards] == [big, small]  # biggest first
    card = qualified.cards[1]
    assert (card.name, card.account, card.owner, card.amount, card.currency) == (
        "Small",
        "Acme",
        "Ana",
        Decimal("100.00"),
        "USD",
    )
    assert card.reporting_amount == Decimal("80.00")  # 1 EUR = 1.25 USD
    assert card.days_in_stage == 20
    proposal = next(column for column in columns if column.stage == "proposal")
    assert [(c.id, c.days_in_stage) for c in proposal.cards] == [(moved, 3)]
    assert sum(column.deals for column in columns) == 3  # the won deal and Italy's are not on the board


def test_a_currency_without_a_rate_shows_no_reporting_amount(engine, spain):
    deal(engine, "ES", account="Acme", amount="10", currency="CHF", stage="negotiation")
    [card] = next(column for column in board(engine) if column.stage == "negotiation").cards
    assert card.reporting_amount is None
