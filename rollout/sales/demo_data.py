"""Generated, repeatable sales activity for the demo markets, written through the pipeline functions.

Each market sells from its start until a stop, pausing while on hold, at the pace its entry in
rollout/data/demo.toml gives: meetings, other signals, and opportunities that move through the stages and
close won or lost after about one sales cycle.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from rollout.platform.models import stored_id
from rollout.sales.pipeline import PipelineConfig, create_opportunity, log_signal, update_opportunity

NAMES = [
    "Nova",
    "Atlas",
    "Orion",
    "Vertex",
    "Helix",
    "Lumen",
    "Quanta",
    "Terra",
    "Astra",
    "Nimbus",
    "Solaris",
    "Boreal",
    "Cobalt",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
]
SECTORS = [
    "Logistics",
    "Retail",
    "Foods",
    "Energy",
    "Health",
    "Finance",
    "Motors",
    "Textiles",
    "Media",
    "Pharma",
]
LEGAL_FORMS = {
    "ES": "S.L.",
    "IT": "S.p.A.",
    "DE": "GmbH",
    "GB": "Ltd",
    "IN": "Pvt Ltd",
    "BR": "Ltda",
    "AE": "LLC",
    "JP": "K.K.",
}
CONTENT = [
    "Case study: retail rollout",
    "Webinar replay: automating month-end",
    "Pricing sheet",
    "Security whitepaper",
    "ROI calculator",
    "Case study: logistics",
    "Product tour video",
]
LOST_REASONS = [
    "Chose a local competitor",
    "No budget this year",
    "Timing: project postponed",
    "Missing local-language support",
    "Price",
]
SEGMENT_SIZES = {"smb": 0.5, "mid_market": 1.0, "enterprise": 2.5}
OTHER_SIGNALS_PER_MONTH = {
    "demo": 2,
    "partner_intro": 1,
    "inbound_lead": 2,
    "feedback": 1,
    "content_request": 1.5,
}


def selling_days(start: date, end: date, pauses: list[tuple[date, date]]) -> list[date]:
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if not any(first <= day < last for first, last in pauses)]


def _spread(days: list[date], per_month: float, rng: random.Random) -> Iterator[date]:
    """About `per_month` random days a month out of `days`."""
    for day in days:
        if rng.random() < per_month / 30.4:
            yield day


def _account(code: str, rng: random.Random) -> str:
    return f"{rng.choice(NAMES)} {rng.choice(SECTORS)} {LEGAL_FORMS.get(code, 'Ltd')}"


def generate(
    session: Session,
    *,
    code: str,
    days: list[date],
    params: dict[str, Any],
    today: date,
    config: PipelineConfig,
    seed: int,
) -> None:
    rng = random.Random(seed)
    owner = params["owner"]
    for day in _spread(days, params["meetings_per_month"], rng):
        log_signal(
            session,
            code=code,
            kind="meeting",
            occurred_on=day,
            by=owner,
            qualified=rng.random() < 0.7,
            account=_account(code, rng),
            today=today,
            config=config,
        )
    for kind, per_month in OTHER_SIGNALS_PER_MONTH.items():
        for day in _spread(days, per_month, rng):
            log_signal(
                session,
                code=code,
                kind=kind,
                occurred_on=day,
                by=owner,
                account=_account(code, rng),
                content_title=rng.choice(CONTENT) if kind == "content_request" else "",
                requested_by=rng.choice(["prospect", "partner"]) if kind == "content_request" else "",
                today=today,
                config=config,
            )
    for created in _spread(days, params["opportunities_per_month"], rng):
        _opportunity(session, code, created, days[-1], params, rng, config, today)


def _opportunity(
    session: Session,
    code: str,
    created: date,
    last_day: date,
    params: dict[str, Any],
    rng: random.Random,
    config: PipelineConfig,
    today: date,
) -> None:
    segment = rng.choices(list(SEGMENT_SIZES), weights=[5, 3.5, 1.5])[0]
    amount = params["deal_size"] * SEGMENT_SIZES[segment] * rng.lognormvariate(0, 0.4)
    values = {
        "account": _account(code, rng),
        "amount": Decimal(round(amount, -2)),
        "segment": segment,
        "created_on": created,
        "owner": params["owner"],
        "stage": config.stages[0].key,
        "expected_close": created + timedelta(days=params["cycle_days"]),
    }
    opportunity = create_opportunity(
        session, code=code, values=values, by=params["owner"], today=created, config=config
    )
    cycle = params["cycle_days"] * rng.uniform(0.7, 1.3)
    won = rng.random() < params["win_rate"]
    open_stages = config.keys_of_kind("open")[1:]
    # A lost deal drops out somewhere along the way; a won one goes through every stage.
    reached = len(open_stages) if won else rng.randint(0, len(open_stages))
    step_days = cycle / (len(open_stages) + 1)
    for step, stage in enumerate(open_stages[:reached], start=1):
        moved_on = created + timedelta(days=int(step_days * step))
        if moved_on > last_day:
            return
        update_opportunity(
            session,
            opportunity_id=stored_id(opportunity),
            changes={"stage": stage},
            by=params["owner"],
            today=moved_on,
            config=config,
        )
    closed_on = created + timedelta(days=int(step_days * (reached + 1)))
    if closed_on > last_day:
        return
    changes = {"stage": config.keys_of_kind("won" if won else "lost")[0], "closed_on": closed_on}
    if not won:
        changes["lost_reason"] = rng.choice(LOST_REASONS)
    update_opportunity(
        session,
        opportunity_id=stored_id(opportunity),
        changes=changes,
        by=params["owner"],
        today=closed_on,
        config=config,
    )
