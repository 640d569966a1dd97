"""Small builders for the sales tests: rates, signals and deals written through the domain functions.

Every builder takes its dates explicitly (today= is always passed), so nothing depends on the clock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from rollout.platform.db import read_session, write_session
from rollout.platform.models import Opportunity, StageChange
from rollout.sales.deals_import import ImportOutcome, import_deals
from rollout.sales.money import Rate, save_rates
from rollout.sales.pipeline import create_opportunity, log_signal, update_opportunity
from tests.conftest import ACTOR, TODAY

CRM_DATA = Path(__file__).parent / "data" / "crm"
HUBSPOT_FILE = CRM_DATA / "hubspot_deals.csv"
HUBSPOT_IDS = ["18293001", "18293002", "18293003", "18293004"]
# Written to the vendors' documented default layouts, with what real exports carry: custom stages, two
# pipelines, closed deals dated ahead of TODAY; the Salesforce report in Windows-1252 with semicolons,
# decimal commas and its footer.
HUBSPOT_DEFAULT_FILE = CRM_DATA / "hubspot_default_export.csv"
SALESFORCE_REPORT_FILE = CRM_DATA / "salesforce_opportunities_report.csv"
# HubSpot's custom stages mapped to Rollout's, and its partner pipeline's one left out.
HUBSPOT_STAGE_MAP = {"Discovery call": "qualified", "Demo done": "presentation", "Verbal yes": "negotiation"}

# 1 EUR = 100 INR from 2026-06-01 and 110 INR from 2026-09-01; 1 EUR = 1.25 USD, 0.8 GBP from 2026-01-01.
INR_JUNE = Rate("INR", date(2026, 6, 1), Decimal("100"))
INR_SEPTEMBER = Rate("INR", date(2026, 9, 1), Decimal("110"))
USD_JANUARY = Rate("USD", date(2026, 1, 1), Decimal("1.25"))
GBP_JANUARY = Rate("GBP", date(2026, 1, 1), Decimal("0.8"))
HAND_RATES = (INR_JUNE, INR_SEPTEMBER, USD_JANUARY, GBP_JANUARY)


def load_rates(engine: Engine, rates: tuple[Rate, ...] | list[Rate] = HAND_RATES) -> None:
    with write_session(engine) as session:
        save_rates(session, list(rates), by=ACTOR, source="test")


def signal(engine: Engine, code: str, on: date, kind: str = "meeting", **kwargs: Any) -> int:
    kwargs.setdefault("by", ACTOR)
    kwargs.setdefault("today", TODAY)
    with write_session(engine) as session:
        return log_signal(session, code=code, kind=kind, occurred_on=on, **kwargs).id


def deal(engine: Engine, code: str, *, today: date = TODAY, crm_id: str | None = None, **values: Any) -> int:
    """A deal created through create_opportunity; values default to an account and an amount."""
    values = {"account": "Acme", "amount": Decimal("1000")} | values
    with write_session(engine) as session:
        return create_opportunity(session, code=code, values=values, by=ACTOR, today=today, crm_id=crm_id).id


def closed_deal(
    engine: Engine, code: str, stage: str, amount: str, created_on: date, closed_on: date, **values: Any
) -> int:
    """A deal created already won or lost (stage), closed on `closed_on`."""
    return deal(
        engine, code, stage=stage, amount=amount, created_on=created_on, closed_on=closed_on, **values
    )


def move(engine: Engine, opportunity_id: int, on: date, **changes: Any) -> bool:
    """Apply changes as of `on` (a stage change enters the new stage that day)."""
    with write_session(engine) as session:
        _, changed = update_opportunity(
            session, opportunity_id=opportunity_id, changes=changes, by=ACTOR, today=on
        )
    return changed


def get_deal(engine: Engine, opportunity_id: int) -> Opportunity:
    with read_session(engine) as session:
        opportunity = session.get(Opportunity, opportunity_id)
        session.expunge(opportunity)
    return opportunity


def deals_by_crm_id(engine: Engine, code: str | None = None) -> dict[str, Opportunity]:
    with read_session(engine) as session:
        query = select(Opportunity)
        if code:
            query = query.where(Opportunity.country_code == code)
        found = {o.crm_id: o for o in session.exec(query)}
        session.expunge_all()
    return found


def history(engine: Engine, opportunity_id: int) -> list[tuple[str, date]]:
    """(stage, entered_on) in the order they were recorded."""
    with read_session(engine) as session:
        query = (
            select(StageChange.stage, StageChange.entered_on)
            .where(StageChange.opportunity_id == opportunity_id)
            .order_by(StageChange.id)
        )
        return [(stage, entered_on) for stage, entered_on in session.exec(query)]


def import_file(
    engine: Engine,
    code: str,
    content: bytes,
    *,
    filename: str = "deals.csv",
    today: date = TODAY,
    by: str = ACTOR,
    **kwargs: Any,
) -> ImportOutcome:
    with write_session(engine) as session:
        return import_deals(
            session, code=code, content=content, filename=filename, by=by, today=today, **kwargs
        )


# The vendors' documented default export headers (a HubSpot deals export; a Salesforce opportunities report).
HUBSPOT_DEFAULT_HEADERS = (
    "Record ID",
    "Deal Name",
    "Pipeline",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Associated Company (Primary)",
)
SALESFORCE_DEFAULT_HEADERS = (
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Stage",
    "Amount",
    "Close Date",
    "Created Date",
    "Opportunity Owner",
)


def crm_export(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    """A CSV as the CRM writes it: comma-separated, every row as long as the header."""
    import csv
    import io

    assert all(len(row) == len(headers) for row in rows)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *rows])
    return buffer.getvalue().encode()
