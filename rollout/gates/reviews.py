"""Gate review meetings: a day, the markets on its agenda, the gatekeepers invited and a chair.

Each gatekeeper records a recommendation per market (their latest counts) before or during the meeting;
the chair records the decision, and the recommendations are frozen with it, beside the gate's evidence.
The playbook says which roles may chair and how many recommendations a market needs first (a quorum)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from rollout.gates.conditions import ConditionInput
from rollout.gates.decisions import record_decision
from rollout.gates.playbook import Playbook, load_playbook
from rollout.gates.status import gate_status
from rollout.platform.access import Action, authorize, principal
from rollout.platform.countries import get_country, normalize_code
from rollout.platform.errors import RolloutError
from rollout.platform.models import Decision, GateReview, Recommendation, ReviewDecision, stored_id, utc_now

RECOMMENDATIONS = ("go", "conditional_go", "extend", "hold", "stop")
RECOMMENDATION_LABELS = {
    "go": "Go",
    "conditional_go": "Conditional go",
    "extend": "Extend",
    "hold": "Hold",
    "stop": "Stop",
}


@dataclass(frozen=True)
class MarketOnAgenda:
    code: str
    recommendations: list[dict[str, Any]]  # the latest of each gatekeeper, in the order they came
    decision: Decision | None  # the decision the chair recorded in this review, if any
    frozen: list[dict[str, Any]]  # the recommendations as they were when it was recorded


def _require_users(session: Session, emails: Sequence[str], what: str) -> list[str]:
    cleaned = []
    for email in emails:
        user = principal(session, email.strip().lower())
        if user is None:
            raise RolloutError(f"{what}: {email} is not an active Rollout user")
        cleaned.append(user.email)
    return list(dict.fromkeys(cleaned))


def create_review(
    session: Session,
    *,
    title: str,
    held_on: date,
    chair: str,
    markets: Sequence[str],
    gatekeepers: Sequence[str],
    by: str,
    playbook: Playbook | None = None,
    now: datetime | None = None,
) -> GateReview:
    by = authorize(session, by, Action.DECIDE_GATES)
    playbook = playbook or load_playbook()
    if not title.strip():
        raise RolloutError("title: name the review, e.g. “Q1 gate review”")
    codes = list(dict.fromkeys(normalize_code(code) for code in markets))
    if not codes:
        raise RolloutError("markets: put at least one market on the agenda")
    for code in codes:
        status = gate_status(session, get_country(session, code).code, today=held_on, playbook=playbook)
        if not status.at_gate:
            raise RolloutError(
                f"markets: {code} is {playbook.state_name(status.phase).lower()}: no gate to review"
            )
    [chair] = _require_users(session, [chair], "chair")
    chair_role = principal(session, chair)
    if chair_role is None or chair_role.role not in playbook.reviews.chair_roles:
        roles = " or ".join(playbook.reviews.chair_roles)
        raise RolloutError(f"chair: {chair} may not chair a review (the playbook says: {roles})")
    invited = _require_users(session, gatekeepers, "gatekeepers")
    if not invited:
        raise RolloutError("gatekeepers: invite at least one")
    review = GateReview(
        title=title.strip(),
        held_on=held_on,
        chair=chair,
        markets=codes,
        gatekeepers=invited,
        created_at=now or utc_now(),
        created_by=by,
    )
    session.add(review)
    session.flush()
    return review


def get_review(session: Session, review_id: int) -> GateReview:
    review = session.get(GateReview, review_id)
    if review is None:
        raise RolloutError(f"review #{review_id}: no such review")
    return review


def list_reviews(session: Session) -> list[GateReview]:
    return list(
        session.exec(select(GateReview).order_by(col(GateReview.held_on).desc(), col(GateReview.id).desc()))
    )


def _on_agenda(review: GateReview, code: str) -> str:
    code = normalize_code(code)
    if code not in review.markets:
        raise RolloutError(f"{code} is not on the agenda of “{review.title}” ({', '.join(review.markets)})")
    return code


def _decided(session: Session, review_id: int, code: str) -> ReviewDecision | None:
    return session.exec(
        select(ReviewDecision).where(
            ReviewDecision.review_id == review_id, ReviewDecision.country_code == code
        )
    ).first()


def record_recommendation(
    session: Session,
    *,
    review_id: int,
    code: str,
    recommendation: str,
    comment: str,
    by: str,
    now: datetime | None = None,
) -> Recommendation:
    """A gatekeeper's recommendation for a market of the review; a later one of theirs supersedes it."""
    review = get_review(session, review_id)
    code = _on_agenda(review, code)
    by = authorize(session, by, Action.DECIDE_GATES, code)
    if by not in review.gatekeepers:
        raise RolloutError(f"{by} is not a gatekeeper of “{review.title}”: the invited ones may recommend")
    if recommendation not in RECOMMENDATIONS:
        raise RolloutError(f"recommendation: '{recommendation}' is not one of {', '.join(RECOMMENDATIONS)}")
    if not comment.strip():
        raise RolloutError("comment: say why, for the chair and for the record")
    if _decided(session, stored_id(review), code):
        raise RolloutError(f"{code} was decided in this review: its recommendations are frozen")
    status = gate_status(session, code)
    row = Recommendation(
        review_id=stored_id(review),
        country_code=code,
        phase=status.phase,
        gatekeeper=by,
        recommendation=recommendation,
        comment=comment.strip(),
        recorded_at=now or utc_now(),
    )
    session.add(row)
    session.flush()
    return row


def latest_recommendations(session: Session, review_id: int, code: str) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Recommendation)
        .where(Recommendation.review_id == review_id, Recommendation.country_code == code)
        .order_by(col(Recommendation.id))
    )
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        latest.pop(row.gatekeeper, None)  # a newer one moves to the end
        latest[row.gatekeeper] = {
            "gatekeeper": row.gatekeeper,
            "recommendation": row.recommendation,
            "comment": row.comment,
            "recorded_at": row.recorded_at.isoformat(),
        }
    return list(latest.values())


def decide_in_review(
    session: Session,
    *,
    review_id: int,
    code: str,
    outcome: str,
    by: str,
    rationale: str = "",
    extension_months: int | None = None,
    conditions: Sequence[ConditionInput] = (),
    expected_count: int | None = None,
    playbook: Playbook | None = None,
    today: date | None = None,
) -> Decision:
    """The chair records the market's decision; the recommendations are frozen with it."""
    playbook = playbook or load_playbook()
    review = get_review(session, review_id)
    code = _on_agenda(review, code)
    by = authorize(session, by, Action.DECIDE_GATES, code)
    if by != review.chair:
        raise RolloutError(f"{by} is not the chair of “{review.title}”: {review.chair} records its decisions")
    if _decided(session, stored_id(review), code):
        raise RolloutError(f"{code} was already decided in this review")
    recommendations = latest_recommendations(session, stored_id(review), code)
    if len(recommendations) < playbook.reviews.quorum:
        raise RolloutError(
            f"quorum: {len(recommendations)} of the {playbook.reviews.quorum} recommendations the playbook "
            f"requires are recorded for {code}; wait for the gatekeepers"
        )
    decision = record_decision(
        session,
        code=code,
        outcome=outcome,
        by=by,
        rationale=rationale,
        extension_months=extension_months,
        conditions=conditions,
        expected_count=expected_count,
        playbook=playbook,
        today=today,
        extra_evidence={"review_id": review.id, "review": review.title, "recommendations": recommendations},
    )
    session.add(
        ReviewDecision(
            review_id=stored_id(review),
            country_code=code,
            decision_id=stored_id(decision),
            recommendations=recommendations,
        )
    )
    session.flush()
    return decision


def agenda(session: Session, review: GateReview) -> list[MarketOnAgenda]:
    """Each market of the review with its recommendations and, once recorded, its decision."""
    markets = []
    for code in review.markets:
        decided = _decided(session, stored_id(review), code)
        decision = session.get(Decision, decided.decision_id) if decided else None
        markets.append(
            MarketOnAgenda(
                code=code,
                recommendations=latest_recommendations(session, stored_id(review), code),
                decision=decision,
                frozen=decided.recommendations if decided else [],
            )
        )
    return markets
