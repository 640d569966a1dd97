"""The review pack: one printable HTML document for a gate review, what a leader reads before the meeting
and what is archived after it. Each market's phase and days in it, its criteria with values, thresholds,
forecast and why, its pipeline, content and hiring, the conditions it owes and its previous decisions with
their rationale. Charts are inline SVG: the file opens offline. Every value from the database is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from rollout.gates.playbook import Playbook, load_playbook
from rollout.gates.portfolio import FORECAST_LABELS, HEALTH_COLORS, HEALTH_LABELS, OUTCOME_LABELS
from rollout.gates.reviews import RECOMMENDATION_LABELS
from rollout.gates.status import CriterionResult, GateStatus, decisions, gate_status
from rollout.platform.countries import display_name, get_country
from rollout.platform.errors import RolloutError
from rollout.platform.models import Hire, Opportunity, Translation

STYLE = """
body { font-family: system-ui, sans-serif; font-size: 11pt; color: #222; margin: 2em; }
h1 { font-size: 18pt; } h2 { font-size: 15pt; margin-top: 1.5em; border-bottom: 1px solid #999; }
h3 { font-size: 12pt; margin-bottom: .3em; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.health { display: inline-block; padding: 1px 8px; border-radius: 8px; color: #fff; }
.market { page-break-before: always; } .market:first-of-type { page-break-before: avoid; }
@media print { body { margin: 0; } a { color: inherit; text-decoration: none; } }
"""


def _value(criterion: CriterionResult, value: float | bool | None, currency: str) -> str:
    if criterion.kind in ("check", "condition"):
        return (
            ("ticked" if criterion.met else "not ticked")
            if criterion.kind == "check"
            else ("cleared" if criterion.met else "owed")
        )
    if value is None or isinstance(value, bool):
        return "not measured yet" if value is None else str(value)
    if criterion.unit == "share":
        return f"{value:.0%}"
    if criterion.unit == "currency":
        return f"{value:,.0f} {currency}"
    return f"{value:g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    if not rows:
        return "<p>None.</p>"
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def progress_svg(criteria: Sequence[CriterionResult]) -> str:
    """Each metric's value as a share of its threshold, a bar per criterion (100% = the threshold)."""
    metrics = [c for c in criteria if c.kind == "metric" and isinstance(c.value, int | float) and c.threshold]
    if not metrics:
        return ""
    bar, gap, width = 16, 8, 360
    height = len(metrics) * (bar + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 240}" height="{height}" role="img">']
    for row, criterion in enumerate(metrics):
        share = min(float(criterion.value or 0) / float(criterion.threshold or 1), 1.0)
        y = row * (bar + gap)
        color = "#2E7D32" if criterion.met else "#C62828"
        parts.append(f'<text x="0" y="{y + 12}" font-size="10">{escape(criterion.name[:38])}</text>')
        parts.append(f'<rect x="240" y="{y}" width="{width}" height="{bar}" fill="#eee"/>')
        parts.append(f'<rect x="240" y="{y}" width="{share * width:.0f}" height="{bar}" fill="{color}"/>')
        parts.append(f'<text x="{244}" y="{y + 12}" font-size="10" fill="#fff">{share:.0%}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _pipeline(session: Session, code: str) -> str:
    rows = session.exec(
        select(Opportunity.stage, Opportunity.currency, func.count(), func.sum(Opportunity.amount))
        .where(Opportunity.country_code == code)
        .group_by(col(Opportunity.stage), col(Opportunity.currency))
        .order_by(col(Opportunity.stage))
    ).all()
    return _table(["Stage", "Deals", "Amount"], [(s, n, f"{a:,.0f} {cur}") for s, cur, n, a in rows])


def _content(session: Session, code: str) -> str:
    rows = session.exec(
        select(Translation.locale, Translation.status, func.count())
        .where(Translation.country_code == code)
        .group_by(col(Translation.locale), col(Translation.status))
        .order_by(col(Translation.locale), col(Translation.status))
    ).all()
    return _table(
        ["Locale", "Status", "Pieces"], [(loc, status.replace("_", " "), n) for loc, status, n in rows]
    )


def _hiring(session: Session, code: str) -> str:
    hires = session.exec(select(Hire).where(Hire.country_code == code).order_by(col(Hire.id))).all()
    return _table(
        ["Candidate", "Role", "Stage", "Based"], [(h.candidate, h.role, h.stage, h.based) for h in hires]
    )


def _criteria(status: GateStatus, currency: str) -> str:
    rows = [
        (
            c.name,
            _value(c, c.value, currency),
            "" if c.threshold is None else _value(c, c.threshold, currency),
            "yes" if c.met else "no",
            FORECAST_LABELS.get(c.forecast, "") if c.kind == "metric" else "",
            "" if c.projected is None else _value(c, c.projected, currency),
            c.why or c.note,
        )
        for c in status.criteria
    ]
    headers = ["Criterion", "Value", "Threshold", "Met", "Forecast", "Projected at due date", "Why / note"]
    return _table(headers, rows)


def _market(
    session: Session, code: str, playbook: Playbook, today: date, recommendations: Sequence[dict[str, Any]]
) -> str:
    country = get_country(session, code)
    status = gate_status(session, country.code, today=today, playbook=playbook)
    currency = playbook.reporting_currency
    health = status.health or ""
    badge = ""
    if health:
        color, label = HEALTH_COLORS[health], escape(HEALTH_LABELS[health])
        badge = f'<span class="health" style="background:{color}">{label}</span>'
    phase = playbook.state_name(status.phase)
    facts = f"{escape(phase)}: day {status.days_in_phase} of {status.planned_days}"
    if status.gate_due:
        facts += f" · gate due {status.gate_due.isoformat()}"
    facts += f" · {status.criteria_met}/{len(status.criteria)} criteria met"
    log = decisions(session, country.code)
    history = [
        (d.decided_on.isoformat(), playbook.state_name(d.phase), OUTCOME_LABELS.get(d.outcome, d.outcome),
         d.decided_by, d.rationale)
        for d in log
    ]  # fmt: skip
    owed = [
        (c.text, c.owner or "—", c.due_on.isoformat(), "overdue" if c.overdue(today) else "")
        for c in status.conditions
    ]
    recommended = [
        (r["gatekeeper"], RECOMMENDATION_LABELS.get(r["recommendation"], r["recommendation"]), r["comment"])
        for r in recommendations
    ]
    sections = [
        f'<section class="market" id="market-{escape(country.code)}">',
        f"<h2>{escape(display_name(country))} ({escape(country.code)}) {badge}</h2>",
        f"<p>{facts}</p>",
        f"<h3>Gate criteria</h3>{_criteria(status, currency)}",
        progress_svg(status.criteria),
        f"<h3>Conditions owed</h3>{_table(['Condition', 'Owner', 'Due', ''], owed)}",
        f"<h3>Pipeline</h3>{_pipeline(session, country.code)}",
        f"<h3>Content</h3>{_content(session, country.code)}",
        f"<h3>Hiring</h3>{_hiring(session, country.code)}",
    ]
    if recommendations:
        sections.append(
            f"<h3>Recommendations</h3>{_table(['Gatekeeper', 'Recommends', 'Comment'], recommended)}"
        )
    sections.append(
        f"<h3>Previous decisions</h3>{_table(['Date', 'Gate of', 'Decision', 'By', 'Rationale'], history)}"
    )
    sections.append("</section>")
    return "\n".join(sections)


def review_pack(
    session: Session,
    codes: Sequence[str],
    *,
    title: str = "Gate review pack",
    today: date | None = None,
    playbook: Playbook | None = None,
    recommendations: dict[str, list[dict[str, Any]]] | None = None,
) -> str:
    """The pack as one HTML document (print it to PDF from a browser)."""
    if not codes:
        raise RolloutError("name at least one market for the pack")
    playbook, today = playbook or load_playbook(), today or date.today()
    markets = [
        _market(session, code, playbook, today, (recommendations or {}).get(code.upper(), []))
        for code in codes
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>Prepared {today.isoformat()} · {len(markets)} market(s)</p>"
        + "\n".join(markets)
        + "</body></html>\n"
    )
