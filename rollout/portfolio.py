"""Tables behind the leadership views: the portfolio, the timeline, upcoming gates, the decision log.

Plain DataFrames with display names in the viewer's locale; rendering is the pages' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta

from rollout.countries import display_name
from rollout.gates import GateStatus
from rollout.locales import alpha3
from rollout.models import Country, Decision
from rollout.playbook import Playbook
from rollout.timeline import Timeline

FORECAST_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_measured": "Not measured yet",
}
ON_HOLD = "On hold"
OUTCOME_LABELS = {"go": "Go", "extend": "Extend", "hold": "Hold", "stop": "Stop"}


def status_label(status: GateStatus) -> str:
    if status.on_hold_since:
        return ON_HOLD
    if not status.at_gate:
        return "—"
    if not status.started:
        return "Not started"
    return FORECAST_LABELS[status.forecast or "not_measured"]


def portfolio_frame(
    statuses: Sequence[GateStatus], countries: dict[str, Country], playbook: Playbook, locale: str
) -> pd.DataFrame:
    rows = []
    for status in statuses:
        country = countries[status.country]
        measured = [c for c in status.criteria if c.kind == "check" or c.measured]
        rows.append(
            {
                "code": status.country,
                "iso3": alpha3(status.country),
                "country": display_name(country, locale),
                "phase_key": status.phase,
                "phase": playbook.state_name(status.phase),
                "since": status.phase_started,
                "days_in_phase": status.days_in_phase,
                "gate_due": status.gate_due,
                "days_to_gate": (status.gate_due - status.as_of).days if status.gate_due else None,
                "criteria_met": f"{status.criteria_met}/{len(status.criteria)}" if status.at_gate else "",
                "not_measured": len(status.criteria) - len(measured),
                "status": status_label(status),
                "last_decision": _last_decision_text(status),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "code",
            "iso3",
            "country",
            "phase_key",
            "phase",
            "since",
            "days_in_phase",
            "gate_due",
            "days_to_gate",
            "criteria_met",
            "not_measured",
            "status",
            "last_decision",
        ],
    )


def _last_decision_text(status: GateStatus) -> str:
    last = status.last_decision
    if not last:
        return ""
    return f"{OUTCOME_LABELS[last['outcome']]} on {last['decided_on']} by {last['decided_by']}"


def upcoming_gates(frame: pd.DataFrame, within_days: int) -> pd.DataFrame:
    """Gates due within `within_days`, overdue ones included (they need a decision too).

    A gate on hold is not due: its clock is stopped."""
    running = frame["days_to_gate"].notna() & (frame["status"] != ON_HOLD)
    due = frame[running & (frame["days_to_gate"] <= within_days)]
    return due.sort_values("days_to_gate")


def timeline_frame(
    timelines: dict[str, Timeline],
    countries: dict[str, Country],
    playbook: Playbook,
    locale: str,
    today: date,
) -> pd.DataFrame:
    """Planned versus actual phase bars, one pair of rows per country."""
    rows = []
    for code, timeline in timelines.items():
        name = display_name(countries[code], locale)
        rows += _planned_rows(name, countries[code].start_date, playbook)
        for span in timeline.spans:
            rows.append(
                {
                    "row": f"{name} · actual",
                    "country": name,
                    "kind": "actual",
                    "phase": playbook.state_name(span.phase),
                    "start": span.started_on,
                    "end": span.ended_on or max(today, span.started_on + timedelta(days=1)),
                    "due": span.due_on,
                    "outcome": span.outcome or "",
                }
            )
            rows += [
                {
                    "row": f"{name} · actual",
                    "country": name,
                    "kind": "actual",
                    "phase": ON_HOLD,
                    "start": start,
                    "end": end,
                    "due": span.due_on,
                    "outcome": "",
                }
                for start, end in span.hold_periods(today)
            ]
    return pd.DataFrame(rows, columns=["row", "country", "kind", "phase", "start", "end", "due", "outcome"])


def _planned_rows(name: str, start: date, playbook: Playbook) -> list[dict]:
    rows, begin = [], start
    for phase in playbook.phases:
        end = begin + relativedelta(months=phase.months)
        rows.append(
            {
                "row": f"{name} · plan",
                "country": name,
                "kind": "plan",
                "phase": phase.name,
                "start": begin,
                "end": end,
                "due": end,
                "outcome": "",
            }
        )
        begin = end
    return rows


def decisions_frame(
    decisions: Iterable[Decision], countries: dict[str, Country], playbook: Playbook, locale: str
) -> pd.DataFrame:
    rows = []
    for decision in decisions:
        evidence = decision.evidence or {}
        criteria = evidence.get("criteria", [])
        rows.append(
            {
                "id": decision.id,
                "code": decision.country_code,
                "country": display_name(countries[decision.country_code], locale),
                "decided_on": decision.decided_on,
                "phase": playbook.state_name(decision.phase),
                "outcome": OUTCOME_LABELS.get(decision.outcome, decision.outcome),
                "extension_months": decision.extension_months,
                "decided_by": decision.decided_by,
                "rationale": decision.rationale,
                "criteria_met": f"{sum(bool(c.get('met')) for c in criteria)}/{len(criteria)}",
                "forecast": FORECAST_LABELS.get(evidence.get("forecast") or "", ""),
                "recorded_at": decision.decided_at,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "id",
            "code",
            "country",
            "decided_on",
            "phase",
            "outcome",
            "extension_months",
            "decided_by",
            "rationale",
            "criteria_met",
            "forecast",
            "recorded_at",
        ],
    )


def evidence_frame(criteria: Iterable[dict]) -> pd.DataFrame:
    """A gate's criteria (live or frozen in a decision) as a table."""
    rows = [
        {
            "criterion": c["name"],
            "kind": c["kind"],
            "value": c["value"],
            "threshold": c["threshold"],
            "met": bool(c["met"]),
            "forecast": FORECAST_LABELS.get(c.get("forecast") or "", "") if c["kind"] == "metric" else "",
            "projected": c.get("projected"),
            "note": c.get("note", ""),
        }
        for c in criteria
    ]
    return pd.DataFrame(
        rows, columns=["criterion", "kind", "value", "threshold", "met", "forecast", "projected", "note"]
    )
