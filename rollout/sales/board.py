"""The board of a market's open deals by stage (as a CRM's deal board): a card per deal, biggest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.platform.countries import get_country
from rollout.platform.models import Opportunity, StageChange, stored_id
from rollout.sales.money import MissingRate, RateBook
from rollout.sales.pipeline import PipelineConfig

CARDS_PER_STAGE = 30  # a column lists the biggest deals; the others are counted


@dataclass(frozen=True)
class Card:
    id: int
    name: str
    account: str
    amount: Decimal
    currency: str
    reporting_amount: Decimal | None  # None when no rate converts its currency
    owner: str
    days_in_stage: int


@dataclass(frozen=True)
class Column:
    stage: str
    name: str
    deals: int
    cards: list[Card]  # at most CARDS_PER_STAGE, biggest first


def open_deal_board(
    session: Session, code: str, config: PipelineConfig, rates: RateBook, reporting: str, today: date
) -> list[Column]:
    """One column per open stage, in pipeline order, with the market's deals in it: counted in SQL, and
    only the biggest read (a market may hold many thousands of open deals)."""
    country = get_country(session, code)
    open_stages = [stage for stage in config.stages if stage.kind == "open"]
    in_market = Opportunity.country_code == country.code
    counts = dict(
        session.exec(
            select(Opportunity.stage, func.count()).where(in_market).group_by(col(Opportunity.stage))
        ).all()
    )
    # When each deal read entered its stage: per deal, by the stage history's opportunity index.
    entered = (
        select(func.max(StageChange.entered_on))
        .where(StageChange.opportunity_id == Opportunity.id)
        .scalar_subquery()
    )
    columns = []
    for stage in open_stages:
        query = (
            select(Opportunity, entered)
            .where(in_market, Opportunity.stage == stage.key)
            .order_by(col(Opportunity.amount).desc(), col(Opportunity.id))
            .limit(CARDS_PER_STAGE)
        )
        cards = [_card(deal, on, rates, reporting, today) for deal, on in session.exec(query)]
        columns.append(Column(stage.key, stage.name, counts.get(stage.key, 0), cards))
    return columns


def _card(deal: Opportunity, entered_on: date | None, rates: RateBook, reporting: str, today: date) -> Card:
    try:
        converted: Decimal | None = rates.convert(deal.amount, deal.currency, reporting, today)
    except MissingRate:
        converted = None
    since = entered_on or deal.created_on
    return Card(
        id=stored_id(deal),
        name=deal.name,
        account=deal.account,
        amount=deal.amount,
        currency=deal.currency,
        reporting_amount=converted,
        owner=deal.owner,
        days_in_stage=max(0, (today - since).days),
    )
