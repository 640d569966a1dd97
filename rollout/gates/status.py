"""Gate status, read: each criterion evaluated over the phase's window, the forecast, the decision log.

The writes (decisions and check marks) are in rollout.gates.decisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from typing import Any

from sqlmodel import Session, col, select

from rollout.gates import metrics
from rollout.gates.playbook import Criterion, Playbook, load_playbook
from rollout.gates.timeline import HistoryMismatch, PhaseSpan, Timeline, active_days, planned_days, replay
from rollout.platform.countries import get_country, list_countries
from rollout.platform.errors import RolloutError
from rollout.platform.models import CheckMark, ConditionClearance, Country, Decision, GateCondition


class Forecast(StrEnum):
    """Where a criterion, or a whole gate, is heading by its due date."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_MEASURED = "not_measured"
    TOO_EARLY = "too_early"  # the phase has run too short a share of its time to project its pace


ON_TRACK, AT_RISK, OFF_TRACK, NOT_MEASURED, TOO_EARLY = Forecast
FORECAST_ORDER = (ON_TRACK, AT_RISK, OFF_TRACK)
ON_HOLD = "on_hold"
# A market's health, as leadership reads it: the gate's forecast, on hold, or too early to tell.
HEALTH_VALUES = (ON_TRACK, AT_RISK, OFF_TRACK, ON_HOLD, TOO_EARLY)
RATIONALE_REQUIRED = ("extend", "hold", "stop")
MAX_EXTENSION_MONTHS = 24


@dataclass(frozen=True)
class CriterionResult:
    key: str
    name: str
    kind: str  # "metric" or "check"
    unit: str
    value: float | bool | None  # None: not measured yet
    threshold: float | None
    met: bool
    forecast: str
    projected: float | None = None
    note: str = ""
    why: str = ""  # for an unmet criterion, in words: what is missing
    rows: tuple[dict[str, Any], ...] = ()  # the records behind the value (deals, meetings, pages…)

    @property
    def measured(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class ConditionOwed:
    """A condition a Go decision was taken on: a check of the next gate until someone clears it."""

    id: int
    text: str
    owner: str
    due_on: date
    decision_sequence: int
    phase: str  # the gate it is a check of
    cleared_on: date | None = None
    cleared_by: str = ""

    def overdue(self, today: date) -> bool:
        return self.cleared_on is None and today > self.due_on


@dataclass(frozen=True)
class GateStatus:
    country: str
    phase: str  # phase key, "established" or "exited"
    phase_started: date
    gate_due: date | None
    days_in_phase: int
    planned_days: int
    on_hold_since: date | None
    criteria: tuple[CriterionResult, ...]
    ready: bool
    forecast: str | None  # None once there is no gate left
    last_decision: dict[str, Any] | None
    decision_count: int
    as_of: date
    health: str | None = None  # one of HEALTH_VALUES while a gate runs; None before the start and after
    conditions: tuple[ConditionOwed, ...] = ()  # conditions of earlier Go decisions not yet cleared

    @property
    def at_gate(self) -> bool:
        return bool(self.criteria)

    @property
    def started(self) -> bool:
        return self.as_of >= self.phase_started

    @property
    def criteria_met(self) -> int:
        return sum(criterion.met for criterion in self.criteria)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as the CLI prints it and as decisions freeze it."""
        data = asdict(self)
        data["criteria"] = [asdict(criterion) for criterion in self.criteria]
        for criterion in data["criteria"]:
            criterion["rows"] = list(criterion["rows"])
        for key in ("phase_started", "gate_due", "on_hold_since", "as_of"):
            data[key] = data[key].isoformat() if data[key] else None
        data["conditions"] = [
            asdict(owed)
            | {
                "due_on": owed.due_on.isoformat(),
                "cleared_on": owed.cleared_on.isoformat() if owed.cleared_on else None,
                "overdue": owed.overdue(self.as_of),
            }
            for owed in self.conditions
        ]
        return data


def project(value: float, elapsed: int, planned: int) -> float:
    """The value at the due date if the pace so far holds (linear)."""
    return value * planned / elapsed if elapsed > 0 else value


def too_early(elapsed: int, planned: int, min_share: float) -> bool:
    """Whether the phase has run too short a share of its time for its pace to say anything."""
    return elapsed <= 0 or (planned > 0 and elapsed / planned < min_share)


def metric_forecast(
    value: float,
    threshold: float,
    elapsed: int,
    planned: int,
    at_risk_ratio: float,
    min_share: float = 0.0,
) -> tuple[str, float]:
    if value >= threshold:
        return ON_TRACK, value
    projected = project(value, elapsed, planned)
    if elapsed >= planned:
        return OFF_TRACK, projected
    if too_early(elapsed, planned, min_share):
        return TOO_EARLY, projected
    ratio = projected / threshold if threshold else 1.0
    if ratio >= 1:
        return ON_TRACK, projected
    return (AT_RISK if ratio >= at_risk_ratio else OFF_TRACK), projected


def _evaluate_metric(
    session: Session,
    criterion: Criterion,
    window: metrics.MetricWindow,
    span: PhaseSpan,
    playbook: Playbook,
    known: Mapping[str, float],
    explain: bool = False,
) -> CriterionResult:
    metric = metrics.get(criterion.metric or "")
    threshold = criterion.threshold or 0.0
    result = partial(
        CriterionResult,
        key=criterion.key,
        name=criterion.name,
        kind="metric",
        unit=criterion.unit,
        threshold=threshold,
    )
    if metric is None:
        return result(value=None, met=False, forecast=NOT_MEASURED, note="not measured yet")
    try:
        value = float(known[metric.name] if metric.name in known else metric.function(session, window))
    except RolloutError as error:  # e.g. an amount in a currency without an exchange rate
        return result(value=None, met=False, forecast=NOT_MEASURED, note=str(error))
    forecast, projected = metric_forecast(
        value,
        threshold,
        active_days(span, window.end),
        planned_days(span),
        playbook.at_risk_ratio,
        playbook.min_share_to_project,
    )
    met = value >= threshold
    why, rows = (
        _explained(session, metric.name, window, value, threshold) if explain and not met else ("", ())
    )
    return result(value=value, met=met, forecast=forecast, projected=projected, why=why, rows=rows)


def _explained(
    session: Session, name: str, window: metrics.MetricWindow, value: float, threshold: float
) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Why the metric falls short, and its rows; without an explainer, the value against the threshold."""
    explainer = metrics.explainer(name)
    if explainer is None:
        return f"{value:g} of {threshold:g} needed", ()
    try:
        explanation = explainer(session, window, value, threshold)
    except RolloutError as error:
        return str(error), ()
    return explanation.why, explanation.rows


def _evaluate_check(criterion: Criterion, mark: CheckMark | None) -> CriterionResult:
    checked = bool(mark and mark.checked)
    note = ""
    if mark:
        note = f"{'ticked' if checked else 'unticked'} by {mark.marked_by}"
        note += f": {mark.note}" if mark.note else ""
    return CriterionResult(
        key=criterion.key,
        name=criterion.name,
        kind="check",
        unit="check",
        value=checked,
        threshold=None,
        met=checked,
        forecast=NOT_MEASURED,
        note=note,
    )


def gate_forecast(criteria: Sequence[CriterionResult], overdue: bool) -> str:
    """On track when every criterion is met or on pace; off track once overdue with any unmet.

    Only measured metrics have a pace; checks are ticked at the review. With no measured metric
    there is nothing to project, unless the gate is already overdue.
    """
    if criteria and all(criterion.met for criterion in criteria):
        return ON_TRACK
    if overdue:
        return OFF_TRACK
    measured = [c.forecast for c in criteria if c.kind == "metric" and c.measured]
    paced = [forecast for forecast in measured if forecast in FORECAST_ORDER]
    if not paced:
        return TOO_EARLY if TOO_EARLY in measured else NOT_MEASURED
    return max(paced, key=FORECAST_ORDER.index)


def market_health(
    forecast: str | None, on_hold: bool, conditions: Sequence[ConditionOwed], today: date
) -> str | None:
    """On hold, else the gate's forecast (too early while there is no pace to read), made at risk by a
    condition past its due date."""
    if forecast is None:
        return None
    if on_hold:
        return ON_HOLD
    health = forecast if forecast in FORECAST_ORDER else TOO_EARLY
    if health in (ON_TRACK, TOO_EARLY) and any(owed.overdue(today) for owed in conditions):
        return AT_RISK
    return health


def _checked_at(owed: ConditionOwed, phase: str) -> bool:
    """A condition is a check of the gate it was set for; one still owed stays a check of later gates."""
    return owed.phase == phase or owed.cleared_on is None


def _condition_check(owed: ConditionOwed, today: date) -> CriterionResult:
    if owed.cleared_on:
        note = f"cleared by {owed.cleared_by} on {owed.cleared_on.isoformat()}"
    else:
        note = f"owed by {owed.owner or 'no owner named'}, due {owed.due_on.isoformat()}"
        note += " — overdue" if owed.overdue(today) else ""
    return CriterionResult(
        key=f"condition_{owed.id}",
        name=f"Condition of decision #{owed.decision_sequence}: {owed.text}",
        kind="condition",
        unit="check",
        value=owed.cleared_on is not None,
        threshold=None,
        met=owed.cleared_on is not None,
        forecast=NOT_MEASURED,
        note=note,
        why="" if owed.cleared_on else f"not cleared yet ({note})",
    )


def _last_decision_summary(decisions: Sequence[Decision]) -> dict[str, Any] | None:
    if not decisions:
        return None
    last = decisions[-1]
    return {
        "sequence": last.sequence,
        "outcome": last.outcome,
        "phase": last.phase,
        "decided_on": last.decided_on.isoformat(),
        "decided_by": last.decided_by,
    }


def evaluate(
    session: Session,
    country: Country,
    decisions: Sequence[Decision],
    marks: dict[tuple[str, str], CheckMark],
    playbook: Playbook,
    today: date,
    timeline: Timeline | None = None,
    known: Mapping[str, float] | None = None,
    explain: bool = False,
    conditions: Sequence[ConditionOwed] = (),
) -> GateStatus:
    """The gate status; pass the country's `timeline` when it was already replayed from `decisions`, and
    in `known` metric values already computed for its current window (by name)."""
    timeline = timeline or replay(country.start_date, decisions, playbook, today)
    span = timeline.current or timeline.spans[-1]
    criteria: tuple[CriterionResult, ...] = ()
    overdue = False
    if timeline.current is not None:
        window = current_window(country, timeline, today)
        criteria = tuple(
            _evaluate_metric(session, c, window, span, playbook, known or {}, explain)
            if c.kind == "metric"
            else _evaluate_check(c, marks.get((span.phase, c.key)))
            for c in playbook.phase(span.phase).criteria
        ) + tuple(_condition_check(owed, today) for owed in conditions if _checked_at(owed, span.phase))
        overdue = today > span.due_on  # the due day itself is still in time and span.held_since is None
    ready = bool(criteria) and all(c.met for c in criteria)
    # Once established or exited, the "phase" is that final state, which began when the last one ended.
    since = span.started_on if timeline.current else span.ended_on or span.started_on
    forecast = gate_forecast(criteria, overdue) if timeline.current and today >= span.started_on else None
    owed = tuple(c for c in conditions if c.cleared_on is None)
    return GateStatus(
        country=country.code,
        phase=timeline.state,
        phase_started=since,
        gate_due=span.due_on if timeline.current else None,
        days_in_phase=active_days(span, today) if timeline.current else (today - since).days,
        planned_days=planned_days(span) if timeline.current else 0,
        on_hold_since=span.held_since,
        criteria=criteria,
        ready=ready,
        forecast=forecast,
        last_decision=_last_decision_summary(decisions),
        decision_count=len(decisions),
        as_of=today,
        health=market_health(forecast, span.held_since is not None, owed, today),
        conditions=owed,
    )


def _decisions_by_country(session: Session, codes: list[str] | None = None) -> dict[str, list[Decision]]:
    query = select(Decision).order_by(col(Decision.country_code), col(Decision.sequence))
    if codes is not None:
        query = query.where(col(Decision.country_code).in_(codes))
    grouped: dict[str, list[Decision]] = defaultdict(list)
    for decision in session.exec(query):
        grouped[decision.country_code].append(decision)
    return grouped


def latest_marks(
    session: Session, codes: list[str] | None = None
) -> dict[str, dict[tuple[str, str], CheckMark]]:
    """Per country, the latest mark of each (phase, check)."""
    query = select(CheckMark).order_by(col(CheckMark.id))
    if codes is not None:
        query = query.where(col(CheckMark.country_code).in_(codes))
    latest: dict[str, dict[tuple[str, str], CheckMark]] = defaultdict(dict)
    for mark in session.exec(query):
        latest[mark.country_code][(mark.phase, mark.criterion_key)] = mark
    return latest


def conditions_by_country(session: Session, codes: list[str] | None = None) -> dict[str, list[ConditionOwed]]:
    """Every condition of each country, cleared or not, oldest first."""
    query = (
        select(GateCondition, Decision.sequence, ConditionClearance)
        .join(Decision, col(Decision.id) == GateCondition.decision_id)
        .join(ConditionClearance, col(ConditionClearance.condition_id) == GateCondition.id, isouter=True)
        .order_by(col(GateCondition.id))
    )
    if codes is not None:
        query = query.where(col(GateCondition.country_code).in_(codes))
    found: dict[str, list[ConditionOwed]] = defaultdict(list)
    for condition, sequence, clearance in session.exec(query):
        found[condition.country_code].append(
            ConditionOwed(
                id=int(condition.id or 0),
                text=condition.text,
                owner=condition.owner,
                due_on=condition.due_on,
                decision_sequence=sequence,
                phase=condition.phase,
                cleared_on=clearance.cleared_on if clearance else None,
                cleared_by=clearance.cleared_by if clearance else "",
            )
        )
    return found


def gate_status(
    session: Session, code: str, today: date | None = None, playbook: Playbook | None = None
) -> GateStatus:
    country = get_country(session, code)
    decisions = _decisions_by_country(session, [country.code])[country.code]
    return evaluate(
        session,
        country,
        decisions,
        latest_marks(session, [country.code])[country.code],
        playbook or load_playbook(),
        today or date.today(),
        explain=True,
        conditions=conditions_by_country(session, [country.code])[country.code],
    )


def current_window(country: Country, timeline: Timeline, today: date) -> metrics.MetricWindow:
    span = timeline.current or timeline.spans[-1]
    return metrics.MetricWindow(country.code, span.started_on, today, span.due_on)


def _batched_values(
    session: Session,
    countries: Sequence[Country],
    timelines: Mapping[str, Timeline],
    playbook: Playbook,
    today: date,
) -> dict[str, dict[str, float]]:
    """Per country, the values of its current gate's metrics that have a batch form, each metric asked once
    for all countries. A batch that fails (a missing exchange rate…) is left out: each country's own
    evaluation then says what is wrong for it."""
    # One window per country and metric, however many criteria of its phase read that metric.
    windows: dict[str, dict[str, metrics.MetricWindow]] = defaultdict(dict)
    for country in countries:
        timeline = timelines[country.code]
        if timeline.current is None:
            continue
        for criterion in playbook.phase(timeline.current.phase).criteria:
            if criterion.kind == "metric" and criterion.metric:
                windows[criterion.metric][country.code] = current_window(country, timeline, today)
    known: dict[str, dict[str, float]] = defaultdict(dict)
    for name, by_country in windows.items():
        metric = metrics.get(name)
        if metric is None or metric.batch is None:
            continue
        try:
            values = metric.batch(session, list(by_country.values()))
        except RolloutError:
            continue
        for code, value in values.items():
            known[code][name] = value
    return known


def portfolio_with_timelines(
    session: Session, today: date | None = None, playbook: Playbook | None = None
) -> tuple[list[GateStatus], dict[str, Timeline]]:
    """Every country's gate status and phase history, each country's decisions read and replayed once and
    each metric read for all countries at once where it can be."""
    playbook, today = playbook or load_playbook(), today or date.today()
    countries = list_countries(session)
    decisions, marks = _decisions_by_country(session), latest_marks(session)
    timelines = _replayed(countries, decisions, playbook, today)
    known = _batched_values(session, countries, timelines, playbook, today)
    conditions = conditions_by_country(session)
    statuses = [
        evaluate(
            session,
            c,
            decisions[c.code],
            marks[c.code],
            playbook,
            today,
            timelines[c.code],
            known[c.code],
            conditions=conditions[c.code],
        )
        for c in countries
    ]
    return statuses, timelines


def _replayed(
    countries: Sequence[Country], decisions: Mapping[str, list[Decision]], playbook: Playbook, today: date
) -> dict[str, Timeline]:
    return {c.code: replay(c.start_date, decisions[c.code], playbook, today) for c in countries}


def all_timelines(
    session: Session, today: date | None = None, playbook: Playbook | None = None
) -> dict[str, Timeline]:
    """Every country's phase history (in the countries' order), without evaluating any gate."""
    playbook, today = playbook or load_playbook(), today or date.today()
    return _replayed(list_countries(session), _decisions_by_country(session), playbook, today)


class PlaybookOrphansHistory(RolloutError):
    """The playbook cannot replay decisions already recorded: it was edited after them."""


def require_playbook_fits_history(session: Session, playbook: Playbook, today: date | None = None) -> None:
    """Refuse a playbook that orphans stored history, naming each market and the phase it needs."""
    countries, decisions = list_countries(session), _decisions_by_country(session)
    problems = []
    for country in countries:
        try:
            replay(country.start_date, decisions[country.code], playbook, today or date.today())
        except HistoryMismatch as mismatch:
            problems.append(f"{country.code}: {mismatch}")
    if problems:
        raise PlaybookOrphansHistory(
            f"{playbook.source} no longer fits the decisions recorded for {len(problems)} market(s); "
            "restore the phases they were decided at, or use the playbook they were decided with. "
            + "; ".join(problems)
        )


def portfolio(
    session: Session, today: date | None = None, playbook: Playbook | None = None
) -> list[GateStatus]:
    """The gate status of every country."""
    return portfolio_with_timelines(session, today, playbook)[0]


def country_timeline(
    session: Session, code: str, today: date | None = None, playbook: Playbook | None = None
) -> Timeline:
    country = get_country(session, code)
    decisions = _decisions_by_country(session, [country.code])[country.code]
    return replay(country.start_date, decisions, playbook or load_playbook(), today or date.today())


def decisions(session: Session, code: str | None = None) -> list[Decision]:
    query = select(Decision).order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    if code:
        query = query.where(Decision.country_code == get_country(session, code).code)
    return list(session.exec(query))
