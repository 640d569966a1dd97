"""Candidate markets: countries not yet in the rollout, scored 1 to 5 on the playbook's weighted criteria,
ranked, and started from there (the rollout begins with its score kept as the first evidence)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from rollout.gates.playbook import Playbook, load_playbook
from rollout.platform.access import Action, authorize
from rollout.platform.countries import add_country, normalize_code
from rollout.platform.errors import RolloutError
from rollout.platform.locales import country_name
from rollout.platform.models import CandidateMarket, Country, utc_now


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    code: str
    name: str
    score: float  # the weighted mean of the criteria scored, 1 to 5
    scores: dict[str, int]
    missing: list[str]  # criteria not scored yet (they count as nothing)
    started_on: date | None


def weighted_score(scores: Mapping[str, int], playbook: Playbook) -> float:
    """The weighted mean over every criterion of the playbook; an unscored one counts as 0."""
    total = sum(c.weight for c in playbook.candidate_criteria)
    return sum(c.weight * scores.get(c.key, 0) for c in playbook.candidate_criteria) / total


def _validate(scores: Mapping[str, int], playbook: Playbook) -> None:
    known = {c.key for c in playbook.candidate_criteria}
    for key, value in scores.items():
        if key not in known:
            raise RolloutError(
                f"score {key}: not a candidate criterion of the playbook ({', '.join(sorted(known))})"
            )
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise RolloutError(f"score {key}: must be a whole number from 1 to 5, not {value!r}")


def save_candidate(
    session: Session,
    *,
    code: str,
    scores: Mapping[str, int],
    by: str,
    note: str = "",
    playbook: Playbook | None = None,
    now: datetime | None = None,
) -> CandidateMarket:
    """Add a candidate, or rescore one (the scores given replace those stored, the others are kept)."""
    code = normalize_code(code)
    by = authorize(session, by, Action.MANAGE_COUNTRIES, code)
    playbook = playbook or load_playbook()
    _validate(scores, playbook)
    if session.get(Country, code) is not None:
        raise RolloutError(f"{code} ({country_name(code)}) is already in the rollout, not a candidate")
    candidate = session.exec(select(CandidateMarket).where(CandidateMarket.country_code == code)).first()
    if candidate is None:
        candidate = CandidateMarket(country_code=code, updated_at=now or utc_now(), updated_by=by)
    candidate.scores = {**candidate.scores, **scores}
    candidate.note = note.strip() or candidate.note
    candidate.updated_at, candidate.updated_by = now or utc_now(), by
    session.add(candidate)
    session.flush()
    return candidate


def ranked(session: Session, playbook: Playbook | None = None) -> list[RankedCandidate]:
    """Candidates not yet started, best first (ties by code)."""
    playbook = playbook or load_playbook()
    rows = session.exec(select(CandidateMarket).where(CandidateMarket.started_on == None)).all()  # noqa: E711
    scored = sorted(rows, key=lambda c: (-weighted_score(c.scores, playbook), c.country_code))
    return [
        RankedCandidate(
            rank=rank,
            code=c.country_code,
            name=country_name(c.country_code),
            score=round(weighted_score(c.scores, playbook), 2),
            scores=dict(c.scores),
            missing=[k.key for k in playbook.candidate_criteria if k.key not in c.scores],
            started_on=c.started_on,
        )
        for rank, c in enumerate(scored, start=1)
    ]


def chosen_as_candidate(session: Session, code: str) -> CandidateMarket | None:
    """The candidate this market started from, its scores the first evidence of its rollout; None for a
    market added directly."""
    query = select(CandidateMarket).where(
        CandidateMarket.country_code == normalize_code(code),
        CandidateMarket.started_on != None,  # noqa: E711
    )
    return session.exec(query).first()


def start_candidate(session: Session, *, code: str, start_date: date, by: str) -> Country:
    """The candidate enters the rollout: its sales test starts; its score stays on record."""
    code = normalize_code(code)
    candidate = session.exec(select(CandidateMarket).where(CandidateMarket.country_code == code)).first()
    if candidate is None:
        raise RolloutError(f"{code} is not a candidate market: add it with its scores first")
    country = add_country(session, code=code, start_date=start_date, by=by)
    candidate.started_on = start_date
    session.add(candidate)
    session.flush()
    return country
