"""Why each gate metric falls short, in words, with the records behind its value: which deals, which
meetings, which pages in which locales. Registered with `rollout.gates.metrics.explains`; read only, from
the wings that own the data (kept here so that the gates never import sales or marketing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from rollout.gates.metrics import Explanation, MetricWindow, explains
from rollout.marketing import content, talent
from rollout.platform import locales
from rollout.platform.countries import get_country
from rollout.platform.models import Campaign, ContentItem, Opportunity, Signal, stored_id
from rollout.sales.pipeline import load_pipeline_config

LISTED = 5
NOT_PUBLISHED = {
    "todo": "not started",
    "in_progress": "being translated",
    "in_review": "in review",
}  # names given in the sentence; the rest are in the rows


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _rows(records: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple({key: _plain(value) for key, value in record.items()} for record in records)


def _more(value: float, threshold: float, what: str) -> str:
    missing = max(int(round(threshold - value + 0.4999)), 1)
    return f"{missing} more {what} needed by the gate (threshold {threshold:g})"


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more" if len(names) > LISTED else "")


def _since(window: MetricWindow) -> str:
    return f"since {window.start.isoformat()}"


@explains("qualified_meetings")
def _meetings(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    meetings = session.exec(
        select(Signal)
        .where(
            Signal.country_code == window.country_code,
            Signal.kind == "meeting",
            col(Signal.occurred_on).between(window.start, window.end),
        )
        .order_by(col(Signal.occurred_on))
    ).all()
    qualified = [m for m in meetings if m.qualified]
    why = f"{len(qualified)} qualified meeting(s) {_since(window)}"
    if len(meetings) > len(qualified):
        why += f" ({len(meetings) - len(qualified)} more held but not qualified)"
    rows = [
        {"day": m.occurred_on, "account": m.account, "qualified": m.qualified, "note": m.note}
        for m in meetings
    ]
    return Explanation(f"{why}; {_more(value, threshold, 'qualified meetings')}", _rows(rows))


def _deal_row(deal: Opportunity) -> dict[str, Any]:
    return {
        "deal": deal.name or deal.account,
        "account": deal.account,
        "stage": deal.stage,
        "amount": deal.amount,
        "currency": deal.currency,
        "created": deal.created_on,
        "closed": deal.closed_on,
    }


def _deals(session: Session, window: MetricWindow, *conditions: Any) -> list[Opportunity]:
    query = select(Opportunity).where(Opportunity.country_code == window.country_code, *conditions)
    return list(session.exec(query.order_by(col(Opportunity.created_on))))


@explains("opportunities_opened")
def _opened(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    deals = _deals(session, window, col(Opportunity.created_on).between(window.start, window.end))
    why = f"{len(deals)} opportunit{'y' if len(deals) == 1 else 'ies'} opened {_since(window)}"
    if deals:
        why += f" ({_names([d.name or d.account for d in deals])})"
    return Explanation(
        f"{why}; {_more(value, threshold, 'opportunities')}", _rows([_deal_row(d) for d in deals])
    )


@explains("open_pipeline_amount")
def _pipeline(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    created = col(Opportunity.created_on) <= window.end
    still_open = col(Opportunity.closed_on).is_(None) | (col(Opportunity.closed_on) > window.end)
    deals = _deals(session, window, created, still_open)
    why = (
        f"{len(deals)} open deal(s) worth {value:,.0f} in the reporting currency, "
        f"{max(threshold - value, 0):,.0f} short of {threshold:,.0f}"
    )
    return Explanation(why, _rows([_deal_row(d) for d in deals]))


def _won(session: Session, window: MetricWindow) -> list[Opportunity]:
    won = load_pipeline_config().keys_of_kind("won")
    return _deals(
        session,
        window,
        col(Opportunity.closed_on).between(window.start, window.end),
        col(Opportunity.stage).in_(won),
    )


@explains("deals_won")
def _deals_won(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    deals = _won(session, window)
    why = f"{len(deals)} deal(s) won {_since(window)}"
    if deals:
        why += f" ({_names([d.name or d.account for d in deals])})"
    rows = _rows([_deal_row(d) for d in deals])
    return Explanation(f"{why}; {_more(value, threshold, 'won deals')}", rows)


@explains("won_amount")
def _won_amount(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    deals = _won(session, window)
    why = (
        f"{value:,.0f} won in the reporting currency from {len(deals)} deal(s), "
        f"{max(threshold - value, 0):,.0f} short of {threshold:,.0f}"
    )
    return Explanation(why, _rows([_deal_row(d) for d in deals]))


@explains("site_locales_published_share")
def _site(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    country = get_country(session, window.country_code)
    site = list(
        session.exec(select(ContentItem).where(col(ContentItem.content_type).in_(content.WEBSITE_TYPES)))
    )
    targets = content.target_locales(country)
    if not targets:
        return Explanation("the market has no target language: add its languages on the Country page")
    if not site:
        return Explanation("the content catalogue has no website page yet")
    status = content.statuses(session, country, site)
    missing = [
        {
            "page": item.title,
            "locale": locale,
            "language": locales.language_name(locale.split("_")[0], "en"),
            "status": status[(stored_id(item), locale)],
        }
        for locale in targets
        for item in site
        if status[(stored_id(item), locale)] not in content.DONE
    ]
    sentences = [
        f"{row['language']} {row['page']} not published ({NOT_PUBLISHED.get(row['status'], row['status'])})"
        for row in missing
    ]
    more = f"; and {len(sentences) - LISTED} more" if len(sentences) > LISTED else ""
    return Explanation("; ".join(sentences[:LISTED]) + more, _rows(missing))


@explains("top_requested_content_published")
def _top_content(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    country = get_country(session, window.country_code)
    top = content.most_requested(session, country.code, until=window.end)
    if not top:
        return Explanation("no content request logged yet: the sales log's content requests rank the pieces")
    status = content.statuses(session, country, top)
    targets = content.target_locales(country)
    rows, short = [], []
    for rank, item in enumerate(top, start=1):
        missing = [locale for locale in targets if status[(stored_id(item), locale)] not in content.DONE]
        rows.append({"rank": rank, "piece": item.title, "not published in": ", ".join(missing)})
        if missing:
            languages = ", ".join(locales.language_name(locale.split("_")[0], "en") for locale in missing)
            short.append(f"{item.title} ({languages})")
    why = f"{len(short)} of the {len(top)} most requested pieces not published in every target language"
    why += f": {_names(short)}" if short else ""
    if len(top) < threshold:
        why += f"; only {len(top)} piece(s) requested so far"
    return Explanation(why, _rows(rows))


@explains("native_hires_started")
def _hires(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    country = get_country(session, window.country_code)
    people = talent.hires(session, country.code)
    rows = [
        {
            "candidate": hire.candidate,
            "role": hire.role,
            "stage": hire.stage,
            "native": talent.is_native(hire, country.code, country.languages),
        }
        for hire in people
    ]
    natives = [row for row in rows if row["native"]]
    if not natives:
        return Explanation("no native candidate in the hiring pipeline yet", _rows(rows))
    stages = _names([f"{row['candidate']} ({row['stage']})" for row in natives])
    return Explanation(f"no native hire on the job yet: {stages}", _rows(rows))


@explains("timed_campaigns_next_quarter")
def _campaigns(session: Session, window: MetricWindow, value: float, threshold: float) -> Explanation:
    first = datetime.combine(window.end + timedelta(days=1), time.min, tzinfo=UTC)
    planned = session.exec(
        select(Campaign)
        .where(
            Campaign.country_code == window.country_code,
            Campaign.cancelled == False,  # noqa: E712
            col(Campaign.starts_at) >= first,
            col(Campaign.starts_at) < first + timedelta(days=92),
        )
        .order_by(col(Campaign.starts_at))
    ).all()
    rows = [{"campaign": c.name, "starts": c.starts_at, "occasion": c.occasion or "—"} for c in planned]
    untimed = sum(not c.occasion for c in planned)
    why = f"{int(value)} campaign(s) tied to a local occasion in the next quarter"
    if untimed:
        why += f" ({untimed} more planned without an occasion)"
    return Explanation(f"{why}; {_more(value, threshold, 'timed campaigns')}", _rows(rows))
