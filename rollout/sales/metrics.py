"""The sales-test and first-signings gate metrics, as SQL aggregates over countries' phase windows: one
query for as many countries as asked (the portfolio asks for all of them at once).

Amounts are summed per currency in SQL and converted to the reporting currency here: open pipeline at
the rate of the window's last day, won deals at the rate of their close date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, Row, Select, func, union_all
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from rollout.gates.metrics import MetricWindow, register_batched
from rollout.gates.playbook import load_playbook
from rollout.platform.models import Opportunity, Signal
from rollout.sales.money import rate_book
from rollout.sales.pipeline import load_pipeline_config

# Windows per statement: SQLite allows 500 SELECTs in one compound statement, and a window can need two.
WINDOWS_PER_STATEMENT = 100


def _per_window(
    session: Session, windows: Sequence[MetricWindow], parts: Callable[[MetricWindow], Sequence[Select]]
) -> list[Row]:
    """The rows of every window's `parts`, joined by UNION ALL: each part names its country and reads one
    range of a (country, day…) index. (One OR of all the windows made SQLite fetch every row by id.)"""
    rows: list[Row] = []
    for first in range(0, len(windows), WINDOWS_PER_STATEMENT):
        selects = [
            part for window in windows[first : first + WINDOWS_PER_STATEMENT] for part in parts(window)
        ]
        rows += session.execute(selects[0] if len(selects) == 1 else union_all(*selects)).all()
    return rows


def _counts(rows: Sequence[Row], windows: Sequence[MetricWindow]) -> dict[str, float]:
    """Rows of (country, count) summed per country; a country without any counts 0."""
    totals: dict[str, float] = {window.country_code: 0 for window in windows}
    for code, count in rows:
        totals[code] += count
    return totals


@register_batched("qualified_meetings", description="Qualified meetings logged in the phase")
def qualified_meetings(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    def parts(w: MetricWindow) -> list[Select]:
        in_window = (
            Signal.country_code == w.country_code,
            Signal.kind == "meeting",
            col(Signal.occurred_on).between(w.start, w.end),
            Signal.qualified == True,  # noqa: E712
        )
        return [select(Signal.country_code, func.count()).where(*in_window).group_by(Signal.country_code)]

    return _counts(_per_window(session, windows, parts), windows)


def _deal_counts(w: MetricWindow, *conditions: ColumnElement) -> Select:
    in_country = col(Opportunity.country_code) == w.country_code
    return (
        select(Opportunity.country_code, func.count())
        .where(in_country, *conditions)
        .group_by(Opportunity.country_code)
    )


@register_batched("opportunities_opened", description="Opportunities created in the phase")
def opportunities_opened(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    def parts(w: MetricWindow) -> list[Select]:
        return [_deal_counts(w, col(Opportunity.created_on).between(w.start, w.end))]

    return _counts(_per_window(session, windows, parts), windows)


def _amounts(w: MetricWindow, *conditions: ColumnElement, by_day: bool = False) -> Select:
    """(country, currency[, close day], amount) of the window's deals meeting `conditions`."""
    keys = [col(Opportunity.country_code), col(Opportunity.currency)] + (
        [col(Opportunity.closed_on)] if by_day else []
    )
    in_country = col(Opportunity.country_code) == w.country_code
    # SQLAlchemy's select: SQLModel's is typed for a fixed number of columns, these vary.
    return sql_select(*keys, func.sum(Opportunity.amount)).where(in_country, *conditions).group_by(*keys)


@register_batched(
    "open_pipeline_amount", description="Open pipeline at the end of the window, reporting currency"
)
def open_pipeline_amount(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    def parts(w: MetricWindow) -> list[Select]:
        """Created by the window's end and not closed by then: still open, or closed later. Two ranges of
        the (country, closed_on, created_on…) index: one OR of both made the planner scan the market."""
        created, closed_on = col(Opportunity.created_on) <= w.end, col(Opportunity.closed_on)
        return [_amounts(w, closed_on.is_(None), created), _amounts(w, closed_on > w.end, created)]

    book, target = rate_book(session), load_playbook().reporting_currency
    end = {window.country_code: window.end for window in windows}
    totals = {code: Decimal(0) for code in end}
    for code, currency, amount in _per_window(session, windows, parts):
        totals[code] += book.convert(amount, currency, target, end[code])
    return {code: float(total) for code, total in totals.items()}


def _won(w: MetricWindow) -> tuple[ColumnElement, ...]:
    won = load_pipeline_config().keys_of_kind("won")
    return col(Opportunity.closed_on).between(w.start, w.end), col(Opportunity.stage).in_(won)


@register_batched("deals_won", description="Deals won in the phase")
def deals_won(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    return _counts(_per_window(session, windows, lambda w: [_deal_counts(w, *_won(w))]), windows)


@register_batched(
    "won_amount", description="Amount won in the phase, reporting currency at each close date's rate"
)
def won_amount(session: Session, windows: Sequence[MetricWindow]) -> dict[str, float]:
    book, target = rate_book(session), load_playbook().reporting_currency
    totals = {window.country_code: Decimal(0) for window in windows}
    for code, currency, closed_on, amount in _per_window(
        session, windows, lambda w: [_amounts(w, *_won(w), by_day=True)]
    ):
        totals[code] += book.convert(amount, currency, target, closed_on)
    return {code: float(total) for code, total in totals.items()}


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
