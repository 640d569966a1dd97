"""Hiring native marketers per country, and what each local hire owns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from rollout.gates.metrics import MetricWindow, register
from rollout.platform.access import Action, authorize
from rollout.platform.countries import get_country, normalize_code
from rollout.platform.errors import NotFound, RolloutError, require_email
from rollout.platform.locales import viewer_locale
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import (
    HIRE_STAGES,
    Campaign,
    Hire,
    HireStageChange,
    LocalEvent,
    Translation,
    stored_id,
    utc_now,
)

BASED = ("hq", "in_country")
WORKING = ("started", "converted")  # on the job: started, or converted to a permanent contract
LEFT = "left"


def _check_hire(
    role: str, candidate: str, native_languages: list[str], native_country: str, based: str
) -> str:
    if not role.strip():
        raise RolloutError("role: required (e.g. local marketing intern)")
    if not candidate.strip():
        raise RolloutError("candidate: required")
    unknown = [lang for lang in native_languages if lang not in viewer_locale("en").languages]
    if unknown:
        raise RolloutError(f"native languages: {', '.join(unknown)} not known to CLDR")
    if based not in BASED:
        raise RolloutError(f"based: must be hq or in_country, not '{based}'")
    try:
        return normalize_code(native_country) if native_country else ""
    except RolloutError as error:
        raise RolloutError(f"native country: {error}") from None


def _work_email(email: str) -> str:
    return require_email(email, "work email") if email else ""


def add_hire(
    session: Session,
    *,
    code: str,
    role: str,
    candidate: str,
    by: str,
    native_languages: list[str] | None = None,
    native_country: str = "",
    based: str = "hq",
    email: str = "",
    stage: str = "sourcing",
    on: date | None = None,
) -> Hire:
    country = get_country(session, code)
    by = authorize(session, by, Action.MANAGE_MARKETING, country.code)
    native_country = _check_hire(role, candidate, native_languages or [], native_country, based)
    if stage not in HIRE_STAGES:
        raise RolloutError(f"stage: '{stage}' is not one of {', '.join(HIRE_STAGES)}")
    _refuse_twin(session, country.code, candidate)
    hire = Hire(
        country_code=country.code,
        role=role.strip(),
        candidate=candidate.strip(),
        email=_work_email(email),
        native_languages=native_languages or [],
        native_country=native_country,
        based=based,
        stage=stage,
        updated_at=utc_now(),
        updated_by=by,
    )
    session.add(hire)
    session.flush()
    _record(session, hire, stage, on or date.today(), "", by)
    return hire


def _refuse_twin(session: Session, code: str, candidate: str, hire_id: int | None = None) -> None:
    """One person is one candidate per market (a second click on "Add candidate" adds nobody); someone who
    left may be added again."""
    wanted = candidate.strip().casefold()
    for other in hires(session, code):
        if other.id != hire_id and other.stage != LEFT and other.candidate.casefold() == wanted:
            raise RolloutError(
                f"candidate: {other.candidate} is already a candidate in {code} (#{other.id}, {other.stage})"
            )


def _record(session: Session, hire: Hire, stage: str, on: date, reason: str, by: str) -> None:
    session.add(
        HireStageChange(
            hire_id=stored_id(hire),
            stage=stage,
            entered_on=on,
            reason=reason.strip(),
            recorded_at=utc_now(),
            recorded_by=by,
        )
    )


def move_hire(
    session: Session,
    *,
    hire_id: int,
    stage: str,
    by: str,
    on: date | None = None,
    reason: str = "",
    email: str | None = None,
    expected_version: int | None = None,
) -> Hire:
    """Move a hire to `stage`. Going back (an offer withdrawn…) needs a reason; leaving is always possible."""
    hire = locked(session, Hire, hire_id)
    if hire is None or hire.removed_at is not None:
        raise NotFound(f"hire #{hire_id} does not exist (they may have been removed)")
    by = authorize(session, by, Action.MANAGE_MARKETING, hire.country_code)
    require_version(hire, expected_version, hire.candidate)
    if stage not in HIRE_STAGES:
        raise RolloutError(f"stage: '{stage}' is not one of {', '.join(HIRE_STAGES)}")
    if hire.stage == LEFT:
        raise RolloutError(f"{hire.candidate} has left: add them again as a new candidate")
    backwards = stage != LEFT and HIRE_STAGES.index(stage) < HIRE_STAGES.index(hire.stage)
    if backwards and not reason.strip():
        raise RolloutError(f"reason: required to move {hire.candidate} back from {hire.stage} to {stage}")
    last = session.exec(
        select(HireStageChange)
        .where(HireStageChange.hire_id == hire.id)
        .order_by(col(HireStageChange.entered_on).desc(), col(HireStageChange.id).desc())
    ).first()
    on = on or date.today()
    if last and on < last.entered_on:
        raise RolloutError(f"date: {on.isoformat()} is before the last move ({last.entered_on.isoformat()})")
    if email is not None:
        hire.email = _work_email(email)
    hire.stage = stage
    touch(hire, by)
    session.add(hire)
    # A reason explains a step back or a departure; on a step forward it would be a stale leftover.
    _record(session, hire, stage, on, reason if backwards or stage == LEFT else "", by)
    session.flush()
    return hire


def hires(session: Session, code: str) -> list[Hire]:
    """The country's candidates and hires, those removed as added by mistake left out."""
    query = select(Hire).where(Hire.country_code == code, col(Hire.removed_at).is_(None))
    return list(session.exec(query.order_by(col(Hire.id))))


HIRE_FIELDS = ("role", "candidate", "email", "native_languages", "native_country", "based")


def _stored_hire(session: Session, hire_id: int, by: str, expected_version: int | None) -> tuple[Hire, str]:
    """The hire, locked, not removed, at the version the user opened, and the acting user (a marketer
    of its country)."""
    hire = locked(session, Hire, hire_id)
    if hire is None or hire.removed_at is not None:
        raise NotFound(f"candidate #{hire_id} does not exist (they may have been removed)")
    by = authorize(session, by, Action.MANAGE_MARKETING, hire.country_code)
    require_version(hire, expected_version, hire.candidate)
    return hire, by


def update_hire(
    session: Session, *, hire_id: int, by: str, expected_version: int | None = None, **changes: object
) -> Hire:
    """Correct a candidate's details: only the fields given change (HIRE_FIELDS; the stage moves with
    `move_hire`, which keeps its history)."""
    unknown = set(changes) - set(HIRE_FIELDS)
    if unknown:
        raise RolloutError(f"candidate: no field {', '.join(sorted(unknown))}")
    hire, by = _stored_hire(session, hire_id, by, expected_version)
    values = {**hire.model_dump(include=set(HIRE_FIELDS)), **changes}
    values["native_country"] = _check_hire(
        str(values["role"]),
        str(values["candidate"]),
        list(values["native_languages"]),
        str(values["native_country"]),
        str(values["based"]),
    )
    values["email"] = _work_email(str(values["email"]))
    if "candidate" in changes:
        _refuse_twin(session, hire.country_code, str(values["candidate"]), hire_id)
    for field, value in values.items():
        setattr(hire, field, value.strip() if isinstance(value, str) else value)
    touch(hire, by)
    session.add(hire)
    session.flush()
    return hire


def remove_hire(session: Session, *, hire_id: int, by: str, expected_version: int | None = None) -> Hire:
    """Remove a candidate added by mistake: they are marked removed and shown nowhere, their record and
    stage history kept (the history is append-only)."""
    hire, by = _stored_hire(session, hire_id, by, expected_version)
    hire.removed_at, hire.removed_by = utc_now(), by
    touch(hire, by)
    session.add(hire)
    session.flush()
    return hire


def stage_history(session: Session, hire_id: int) -> list[HireStageChange]:
    query = (
        select(HireStageChange)
        .where(HireStageChange.hire_id == hire_id)
        .order_by(col(HireStageChange.entered_on), col(HireStageChange.id))
    )
    return list(session.exec(query))


def is_native(hire: Hire, country_code: str, languages: list[str]) -> bool:
    """From the country, or a native speaker of one of its languages."""
    return hire.native_country == country_code or bool(set(hire.native_languages) & set(languages))


@dataclass(frozen=True)
class Ownership:
    hire: Hire
    translations: list[Translation]
    campaigns: list[Campaign]
    events: list[LocalEvent]


def ownership(session: Session, code: str) -> list[Ownership]:
    """What each of the country's hires with a work email owns: translations, campaigns, events."""
    owned = []
    for hire in hires(session, code):
        if not hire.email:
            continue
        owned.append(
            Ownership(
                hire=hire,
                translations=list(
                    session.exec(
                        select(Translation).where(
                            Translation.country_code == code, Translation.assignee == hire.email
                        )
                    )
                ),
                campaigns=list(
                    session.exec(
                        select(Campaign).where(
                            Campaign.country_code == code,
                            Campaign.cancelled == False,  # noqa: E712
                            or_(
                                func.lower(Campaign.owner) == hire.email,
                                col(Campaign.updated_by) == hire.email,
                            ),
                        )
                    )
                ),
                events=list(
                    session.exec(
                        select(LocalEvent).where(
                            LocalEvent.country_code == code, LocalEvent.created_by == hire.email
                        )
                    )
                ),
            )
        )
    return owned


@register("native_hires_started", description="Native marketing hires on the job by the end of the window")
def native_hires_started(session: Session, window: MetricWindow) -> float:
    country = get_country(session, window.country_code)
    natives = {h.id for h in hires(session, country.code) if is_native(h, country.code, country.languages)}
    moves = session.exec(
        select(HireStageChange.hire_id, HireStageChange.stage)
        .where(col(HireStageChange.hire_id).in_(natives), HireStageChange.entered_on <= window.end)
        .order_by(col(HireStageChange.entered_on), col(HireStageChange.id))
    )
    stage_at_end = dict(moves.all())  # the last move of each hire by the window's end wins
    return sum(stage in WORKING for stage in stage_at_end.values())
