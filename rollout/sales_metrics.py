"""The sales-test and first-signings gate metrics, as SQL aggregates over a country's phase window.

Amounts are summed per currency in SQL and converted to the reporting currency here: open pipeline at
the rate of the window's last day, won deals at the rate of their close date.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.metrics import MetricWindow, register
from rollout.models import Opportunity
from rollout.money import rate_book
from rollout.pipeline import count_signals, load_pipeline_config
from rollout.playbook import load_playbook


def _in_country(window: MetricWindow):
    return Opportunity.country_code == window.country_code


@register("qualified_meetings", description="Qualified meetings logged in the phase")
def qualified_meetings(session: Session, window: MetricWindow) -> float:
    return count_signals(session, window.country_code, "meeting", window.start, window.end, qualified=True)


@register("opportunities_opened", description="Opportunities created in the phase")
def opportunities_opened(session: Session, window: MetricWindow) -> float:
    query = (
        select(func.count())
        .select_from(Opportunity)
        .where(_in_country(window), col(Opportunity.created_on).between(window.start, window.end))
    )
    return session.exec(query).one()


def _open_at_end(window: MetricWindow):
    """Per currency, the amounts of deals created by the window's end and not closed by then: still open,
    or closed later. Two queries, each a range of the (country, closed_on, …) index: one `OR` of both made
    the planner scan every deal of the market."""
    created = col(Opportunity.created_on) <= window.end
    by_currency = select(Opportunity.currency, func.sum(Opportunity.amount)).group_by(Opportunity.currency)
    still_open = by_currency.where(_in_country(window), col(Opportunity.closed_on).is_(None), created)
    closed_later = by_currency.where(_in_country(window), col(Opportunity.closed_on) > window.end, created)
    return still_open.union_all(closed_later)


@register("open_pipeline_amount", description="Open pipeline at the end of the window, reporting currency")
def open_pipeline_amount(session: Session, window: MetricWindow) -> float:
    book, target = rate_book(session), load_playbook().reporting_currency
    total = sum(
        (
            book.convert(amount, currency, target, window.end)
            for currency, amount in session.exec(_open_at_end(window))
        ),
        Decimal(0),
    )
    return float(total)


def _won_in_window(window: MetricWindow):
    won = load_pipeline_config().keys_of_kind("won")
    return (
        _in_country(window),
        col(Opportunity.stage).in_(won),
        col(Opportunity.closed_on).between(window.start, window.end),
    )


@register("deals_won", description="Deals won in the phase")
def deals_won(session: Session, window: MetricWindow) -> float:
    return session.exec(select(func.count()).select_from(Opportunity).where(*_won_in_window(window))).one()


@register("won_amount", description="Amount won in the phase, reporting currency at each close date's rate")
def won_amount(session: Session, window: MetricWindow) -> float:
    query = (
        select(Opportunity.currency, Opportunity.closed_on, func.sum(Opportunity.amount))
        .where(*_won_in_window(window))
        .group_by(Opportunity.currency, Opportunity.closed_on)
    )
    book, target = rate_book(session), load_playbook().reporting_currency
    return float(
        sum(
            (
                book.convert(amount, currency, target, closed_on)
                for currency, closed_on, amount in session.exec(query)
            ),
            Decimal(0),
        )
    )


SALES_METRICS = (
    "qualified_meetings",
    "opportunities_opened",
    "open_pipeline_amount",
    "deals_won",
    "won_amount",
)


def is_sales_metric(name: str | None) -> bool:
    """Whether a criterion's metric counts the sales team's work (what the sales log shows)."""
    return name in SALES_METRICS
