"""Tables behind the leadership views: the portfolio, the timeline, upcoming gates, the decision log.

Plain DataFrames with display names in the viewer's locale; rendering is the pages' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta

from rollout.gates.playbook import Playbook
from rollout.gates.status import GateStatus
from rollout.gates.timeline import Timeline
from rollout.platform.countries import display_name
from rollout.platform.locales import alpha3
from rollout.platform.models import Country, Decision

FORECAST_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_measured": "Not measured yet",
    "too_early": "Too early to tell",
}
ON_HOLD = "On hold"
HEALTH_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "on_hold": ON_HOLD,
    "too_early": "Too early to tell",
}
# Green, amber, red, grey, blue: the same colour for a health in the table, the map and the pack.
HEALTH_COLORS = {
    "on_track": "#2E7D32",
    "at_risk": "#F9A825",
    "off_track": "#C62828",
    "on_hold": "#9E9E9E",
    "too_early": "#5C8DC9",
}
OUTCOME_LABELS = {"go": "Go", "extend": "Extend", "hold": "Hold", "stop": "Stop"}


def status_label(status: GateStatus) -> str:
    if status.on_hold_since:
        return ON_HOLD
    if not status.at_gate:
        return "—"
    if not status.started:
        return "Not started"
    return FORECAST_LABELS[status.forecast or "not_measured"]


PORTFOLIO_COLUMNS = [
    "code",
    "iso3",
    "country",
    "phase_key",
    "phase",
    "since",
    "days_in_phase",
    "days_left",
    "gate_due",
    "days_to_gate",
    "criteria_met",
    "not_measured",
    "forecast",
    "on_hold",
    "status",
    "health",
    "health_label",
    "hold_days",
    "conditions_owed",
    "attention",
    "last_decision",
]


def portfolio_frame(
    statuses: Sequence[GateStatus], countries: dict[str, Country], playbook: Playbook, locale: str
) -> pd.DataFrame:
    frame = pd.DataFrame(
        [_portfolio_row(s, countries[s.country], playbook, locale) for s in statuses],
        columns=PORTFOLIO_COLUMNS,
    )
    return in_attention_order(frame)


# Which markets need leadership first: gates due soonest (overdue first), then off track, then the longest
# holds (resuming is a decision too), then the rest of the running gates, then the markets not yet started,
# then those with no gate left.
DUE_SOON_DAYS = 30


def attention_rank(row: pd.Series) -> tuple[int, float]:
    if row["on_hold"]:
        return 2, -float(row["hold_days"] or 0)
    if pd.isna(row["days_to_gate"]):
        return (4, 0.0) if row["status"] == "Not started" else (5, 0.0)
    days = float(row["days_to_gate"])
    if days <= DUE_SOON_DAYS:
        return 0, days
    if row["health"] == "off_track":
        return 1, days
    return 3, days


def in_attention_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The portfolio sorted as it needs attention, with that order in column `attention` (1 first)."""
    if frame.empty:
        return frame
    ranks = frame.apply(attention_rank, axis=1)
    ordered = frame.assign(_rank=ranks).sort_values(["_rank", "country"], kind="stable")
    ordered = ordered.drop(columns="_rank").reset_index(drop=True)
    ordered["attention"] = range(1, len(ordered) + 1)
    return ordered


def _portfolio_row(status: GateStatus, country: Country, playbook: Playbook, locale: str) -> dict:
    running = status.at_gate and not status.on_hold_since  # a held gate's clock is stopped: no countdown
    return {
        "code": status.country,
        "iso3": alpha3(status.country),
        "country": display_name(country, locale),
        "phase_key": status.phase,
        "phase": playbook.state_name(status.phase),
        "since": status.phase_started,
        "days_in_phase": status.days_in_phase,
        "days_left": status.planned_days - status.days_in_phase if status.at_gate else None,
        "gate_due": status.gate_due if running else None,
        "days_to_gate": (status.gate_due - status.as_of).days if running and status.gate_due else None,
        "criteria_met": f"{status.criteria_met}/{len(status.criteria)}" if status.at_gate else "",
        "not_measured": sum(c.kind == "metric" and not c.measured for c in status.criteria),
        "forecast": status.forecast,
        "on_hold": bool(status.on_hold_since),
        "status": status_label(status),
        "health": status.health,
        "health_label": HEALTH_LABELS.get(status.health or "", status_label(status)),
        "hold_days": (status.as_of - status.on_hold_since).days if status.on_hold_since else None,
        "conditions_owed": sum(owed.cleared_on is None for owed in status.conditions),
        "attention": 0,
        "last_decision": _last_decision_text(status),
    }


def _last_decision_text(status: GateStatus) -> str:
    last = status.last_decision
    if not last:
        return ""
    return f"{OUTCOME_LABELS[last['outcome']]} on {last['decided_on']} by {last['decided_by']}"


def upcoming_gates(frame: pd.DataFrame, within_days: int) -> pd.DataFrame:
    """Gates due within `within_days`, overdue ones included (they need a decision too), then the markets
    on hold, longest first: their clock is stopped, but resuming them is a decision too."""
    due = frame[frame["days_to_gate"].notna() & (frame["days_to_gate"] <= within_days)]
    held = frame[frame["on_hold"]].sort_values("hold_days", ascending=False)
    return pd.concat([due.sort_values("days_to_gate"), held])


def upcoming_lines(due: pd.DataFrame) -> list[tuple[str, str]]:
    """(code, one line in words) for each row of `upcoming_gates`."""
    lines = []
    for row in due.to_dict("records"):
        if row["on_hold"]:
            when = f"on hold for {int(row['hold_days'] or 0)} days"
        elif row["days_to_gate"] < 0:
            when = f"overdue by {-int(row['days_to_gate'])} days"
        else:
            when = f"due in {int(row['days_to_gate'])} days"
        text = f"{row['country']} · {row['phase']} gate {when} · {row['criteria_met']} criteria met"
        lines.append((str(row["code"]), f"{text} · {row['health_label']}"))
    return lines


# The portfolio's tiles, each a filter of the countries table: (label, which rows).
TILES = ("in_progress", "due_in_30_days", "off_track", "at_risk", "on_hold", "too_early")
TILE_LABELS = {
    "in_progress": "Markets in progress",
    "due_in_30_days": "Gates due in 30 days",
    "off_track": "Off track",
    "at_risk": "At risk",
    "on_hold": "On hold",
    "too_early": "Too early to tell",
}


def tile_rows(frame: pd.DataFrame, tile: str) -> pd.DataFrame:
    """The countries a tile counts."""
    if tile == "in_progress":
        return frame[frame["days_left"].notna()]
    if tile == "due_in_30_days":
        return frame[frame["days_to_gate"].notna() & (frame["days_to_gate"] <= DUE_SOON_DAYS)]
    if tile in HEALTH_LABELS:
        return frame[frame["health"] == tile]
    raise ValueError(f"no tile called {tile!r}")


def summary(frame: pd.DataFrame) -> dict[str, int]:
    """The headline counts of the portfolio page."""
    return {tile: len(tile_rows(frame, tile)) for tile in TILES}


TIMELINE_COLUMNS = ["code", "row", "kind", "phase", "start", "end", "due", "outcome"]


def timeline_frame(
    timelines: dict[str, Timeline],
    countries: dict[str, Country],
    playbook: Playbook,
    locale: str,
    today: date,
) -> pd.DataFrame:
    """Planned versus actual phase bars (holds as bars of their own), one pair of rows per country."""
    rows = []
    for code, timeline in timelines.items():
        name = display_name(countries[code], locale)
        actual = {"code": code, "row": f"{name} · actual", "kind": "actual", "outcome": ""}
        rows += _planned_rows(code, f"{name} · plan", countries[code].start_date, playbook)
        for span in timeline.spans:
            end = span.ended_on or max(today, span.started_on + timedelta(days=1))
            rows.append(
                actual
                | {
                    "phase": playbook.state_name(span.phase),
                    "start": span.started_on,
                    "end": end,
                    "due": span.due_on,
                    "outcome": span.outcome or "",
                }
            )
            rows += [
                actual | {"phase": ON_HOLD, "start": start, "end": end, "due": span.due_on}
                for start, end in span.hold_periods(today)
            ]
    return pd.DataFrame(rows, columns=TIMELINE_COLUMNS)


def timeline_markers(
    timelines: dict[str, Timeline], countries: dict[str, Country], locale: str
) -> pd.DataFrame:
    """Every gate decision, and the due date of each open gate, as points on the actual rows."""
    rows = []
    for code, timeline in timelines.items():
        row = f"{display_name(countries[code], locale)} · actual"
        for span in timeline.spans:
            rows += [
                {"code": code, "row": row, "day": day, "marker": OUTCOME_LABELS[outcome]}
                for day, outcome in span.decisions
            ]
            if span.ended_on is None and span.held_since is None:
                rows.append({"code": code, "row": row, "day": span.due_on, "marker": "Gate due"})
    return pd.DataFrame(rows, columns=["code", "row", "day", "marker"])


def _planned_rows(code: str, row: str, start: date, playbook: Playbook) -> list[dict]:
    rows, begin = [], start
    for phase in playbook.phases:
        end = begin + relativedelta(months=phase.months)
        rows.append(
            {
                "code": code,
                "row": row,
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


def filter_decisions(
    log: pd.DataFrame,
    *,
    codes: Sequence[str] = (),
    outcomes: Sequence[str] = (),
    deciders: Sequence[str] = (),
    period: Sequence[date] = (),
) -> pd.DataFrame:
    """The decision log narrowed by country, outcome label, decider and (from, to) days; empty = all."""
    keep = pd.Series(True, index=log.index)
    for column, wanted in (("code", codes), ("outcome", outcomes), ("decided_by", deciders)):
        if wanted:
            keep &= log[column].isin(wanted)
    if len(period) == 2:
        keep &= (log["decided_on"] >= period[0]) & (log["decided_on"] <= period[1])
    return log[keep]


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
            "why": c.get("why", ""),
        }
        for c in criteria
    ]
    return pd.DataFrame(
        rows,
        columns=["criterion", "kind", "value", "threshold", "met", "forecast", "projected", "note", "why"],
    )
