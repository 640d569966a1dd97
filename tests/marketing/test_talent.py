"""Native marketing hires: validation, stage moves and their history, the native-hire gate metric, ownership.

On SQLite and PostgreSQL. India's languages are hi and en. The gate tests walk India through the shipped
playbook into `local_talent` (from 2026-07-06), whose `native_hire_started` criterion needs one native
hire on the job (started or converted) by the day the gate is looked at.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from rollout.gates.metrics import MetricWindow
from rollout.marketing.campaigns import add_local_event, cancel_campaign, plan_campaign
from rollout.marketing.talent import is_native, native_hires_started, ownership
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.models import HIRE_STAGES, Hire, HireStageChange
from tests.conftest import ACTOR, TODAY
from tests.content_factories import (
    START,
    get_hire,
    hire,
    into_phase,
    item,
    move,
    stages,
    translate,
)
from tests.factories import add, count, criterion, status

PRIYA = "priya@rollout.example"
ARJUN = "arjun@rollout.example"
SOURCED = date(2026, 2, 2)


@pytest.fixture
def india(engine):
    add(engine, "IN", START)
    return "IN"


def nothing_written(engine) -> bool:
    return count(engine, Hire) == 0 and count(engine, HireStageChange) == 0


def native_count(engine, end: date, code: str = "IN") -> float:
    with read_session(engine) as session:
        return native_hires_started(session, MetricWindow(code, START, end, date(2027, 1, 1)))


# --- adding hires ----------------------------------------------------------------------------------


def test_add_hire_records_the_candidate_and_the_first_stage(engine, india):
    hire_id = hire(
        engine,
        "IN",
        SOURCED,
        role=" Local marketing intern ",
        candidate=" Priya Sharma ",
        native_languages=["hi", "en"],
        native_country="in",
        based="in_country",
        email=" Priya@Rollout.Example ",
    )
    stored = get_hire(engine, hire_id)
    assert (stored.country_code, stored.role, stored.candidate) == (
        "IN",
        "Local marketing intern",
        "Priya Sharma",
    )
    assert (stored.native_languages, stored.native_country, stored.based) == (
        ["hi", "en"],
        "IN",
        "in_country",
    )
    assert (stored.email, stored.stage, stored.updated_by) == (PRIYA, "sourcing", ACTOR)
    assert stages(engine, hire_id) == [("sourcing", SOURCED, "")]


def test_add_hire_may_start_at_a_later_stage(engine, india):
    hire_id = hire(engine, "IN", SOURCED, stage="offer")
    assert get_hire(engine, hire_id).stage == "offer"
    assert stages(engine, hire_id) == [("offer", SOURCED, "")]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"role": "  "}, "role: required"),
        ({"candidate": ""}, "candidate: required"),
        ({"native_languages": ["hi", "xx"]}, "native languages: xx not known to CLDR"),
        ({"based": "remote"}, "based: must be hq or in_country, not 'remote'"),
        ({"native_country": "XX"}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ({"native_country": "India"}, "'India' is not an ISO 3166-1 alpha-2 country code"),
        ({"email": "priya at rollout"}, "'priya at rollout' is not an email address"),
        ({"stage": "onboarding"}, "stage: 'onboarding' is not one of sourcing"),
    ],
)
def test_add_hire_refuses_bad_input_and_writes_nothing(engine, india, values, message):
    with pytest.raises(RolloutError, match=re.escape(message)):
        hire(engine, "IN", SOURCED, **values)
    assert nothing_written(engine)


def test_add_hire_in_a_country_not_in_the_rollout_is_not_found(engine, india):
    with pytest.raises(NotFound, match="JP"):
        hire(engine, "JP", SOURCED)
    assert nothing_written(engine)


# --- moving hires ----------------------------------------------------------------------------------


def test_moving_forward_records_each_stage(engine, india):
    hire_id = hire(engine, "IN", SOURCED)
    path = [
        ("interviewing", date(2026, 2, 10)),
        ("offer", date(2026, 3, 1)),
        ("hired", date(2026, 3, 1)),  # the same day as the last move is fine
        ("started", date(2026, 4, 1)),
        ("converted", date(2026, 10, 1)),
    ]
    for stage, on in path:
        assert move(engine, hire_id, stage, on).stage == stage
    assert get_hire(engine, hire_id).stage == "converted"
    assert stages(engine, hire_id) == [("sourcing", SOURCED, ""), *[(stage, on, "") for stage, on in path]]


def test_moving_back_needs_a_reason(engine, india):
    hire_id = hire(engine, "IN", SOURCED)
    move(engine, hire_id, "offer", date(2026, 3, 1))
    for reason in ("", "   "):
        with pytest.raises(
            RolloutError, match="reason: required to move Priya Sharma back from offer to interviewing"
        ):
            move(engine, hire_id, "interviewing", date(2026, 3, 5), reason=reason)
    assert get_hire(engine, hire_id).stage == "offer"
    assert len(stages(engine, hire_id)) == 2
    move(engine, hire_id, "interviewing", date(2026, 3, 5), reason=" Offer declined; second round ")
    assert get_hire(engine, hire_id).stage == "interviewing"
    assert stages(engine, hire_id)[-1] == ("interviewing", date(2026, 3, 5), "Offer declined; second round")


@pytest.mark.parametrize("stage", [s for s in HIRE_STAGES if s != "left"])
def test_leaving_is_possible_from_any_stage_and_ends_the_moves(engine, india, stage):
    hire_id = hire(engine, "IN", SOURCED, stage=stage)
    assert move(engine, hire_id, "left", date(2026, 5, 1)).stage == "left"  # no reason needed
    for next_stage in ("started", "sourcing", "left"):
        with pytest.raises(RolloutError, match="Priya Sharma has left: add them again as a new candidate"):
            move(engine, hire_id, next_stage, date(2026, 6, 1), reason="back again")
    assert stages(engine, hire_id) == [(stage, SOURCED, ""), ("left", date(2026, 5, 1), "")]


def test_a_move_dated_before_the_last_move_is_refused(engine, india):
    hire_id = hire(engine, "IN", SOURCED)
    move(engine, hire_id, "interviewing", date(2026, 3, 10))
    with pytest.raises(
        RolloutError, match=re.escape("date: 2026-03-09 is before the last move (2026-03-10)")
    ):
        move(engine, hire_id, "offer", date(2026, 3, 9))
    with pytest.raises(RolloutError, match="before the last move"):
        move(engine, hire_id, "left", date(2026, 2, 1))
    assert get_hire(engine, hire_id).stage == "interviewing"
    assert [s for s, _, _ in stages(engine, hire_id)] == ["sourcing", "interviewing"]


def test_unknown_hire_or_stage_is_refused(engine, india):
    with pytest.raises(NotFound, match="hire #99 does not exist"):
        move(engine, 99, "offer", date(2026, 3, 1))
    hire_id = hire(engine, "IN", SOURCED)
    with pytest.raises(RolloutError, match="stage: 'onboarding' is not one of"):
        move(engine, hire_id, "onboarding", date(2026, 3, 1))
    assert len(stages(engine, hire_id)) == 1


def test_a_move_can_set_the_work_email(engine, india):
    hire_id = hire(engine, "IN", SOURCED)
    with pytest.raises(RolloutError, match="'priya@' is not an email address"):
        move(engine, hire_id, "hired", date(2026, 3, 1), email="priya@")
    assert (get_hire(engine, hire_id).stage, get_hire(engine, hire_id).email) == ("sourcing", "")
    move(engine, hire_id, "hired", date(2026, 3, 1), email="Priya@Rollout.Example")
    assert get_hire(engine, hire_id).email == PRIYA
    move(engine, hire_id, "started", date(2026, 4, 1))  # email=None keeps it
    assert get_hire(engine, hire_id).email == PRIYA


# --- native hires and the gate ---------------------------------------------------------------------


def test_native_by_country_or_by_language(engine, india):
    by_country = get_hire(engine, hire(engine, "IN", SOURCED, native_country="IN"))
    by_language = get_hire(engine, hire(engine, "IN", SOURCED, native_country="GB", native_languages=["hi"]))
    neither = get_hire(
        engine, hire(engine, "IN", SOURCED, native_country="FR", native_languages=["fr", "de"])
    )
    unknown = get_hire(engine, hire(engine, "IN", SOURCED))
    languages = ["hi", "en"]
    assert is_native(by_country, "IN", languages) is True
    assert is_native(by_language, "IN", languages) is True
    assert is_native(neither, "IN", languages) is False
    assert is_native(unknown, "IN", languages) is False
    assert is_native(neither, "CH", ["de", "fr", "it"]) is True  # a French speaker is native to Switzerland


def test_native_hires_started_counts_native_hires_on_the_job_at_the_window_end(engine, india):
    def started(on: date, **values) -> int:
        hire_id = hire(engine, "IN", SOURCED, stage="hired", **values)
        move(engine, hire_id, "started", on)
        return hire_id

    started(date(2026, 8, 1), candidate="Native by country", native_country="IN")
    converted = started(date(2026, 6, 1), candidate="Converted by language", native_languages=["hi"])
    move(engine, converted, "converted", date(2026, 9, 1))
    leaver = started(date(2026, 6, 1), candidate="Leaver", native_country="IN")
    move(engine, leaver, "left", date(2026, 9, 1))
    started(date(2026, 6, 1), candidate="Not native", native_country="FR", native_languages=["fr"])
    started(date(2026, 11, 1), candidate="Starts late", native_country="IN")
    hire(engine, "IN", SOURCED, stage="hired", candidate="Hired, not started", native_country="IN")

    assert native_count(engine, date(2026, 10, 1)) == 2  # by country and converted
    assert native_count(engine, date(2026, 8, 15)) == 3  # the leaver was still on the job
    assert native_count(engine, date(2026, 7, 1)) == 2  # converted-to-be and leaver, already started
    assert native_count(engine, date(2026, 5, 31)) == 0
    assert native_count(engine, TODAY) == 3  # the late starter is on the job now


def test_native_hires_started_only_counts_the_country_s_hires(engine, india):
    add(engine, "DE", START)
    hire_id = hire(engine, "DE", SOURCED, stage="started", native_country="IN", native_languages=["hi"])
    assert get_hire(engine, hire_id).country_code == "DE"
    assert native_count(engine, TODAY) == 0
    assert native_count(engine, TODAY, code="DE") == 0  # an Indian in Germany is not native there


def test_the_local_talent_gate_is_met_once_a_native_hire_starts(engine, playbook):
    into_phase(engine, playbook, "IN", "local_talent")
    gate = status(engine, playbook, "IN", TODAY)
    assert gate.phase == "local_talent"
    before = criterion(gate, "native_hire_started")
    assert (before.value, before.met, before.threshold) == (0.0, False, 1.0)

    hire_id = hire(engine, "IN", date(2026, 8, 1), native_languages=["hi"], stage="hired")
    assert criterion(status(engine, playbook, "IN", TODAY), "native_hire_started").met is False
    move(engine, hire_id, "started", date(2026, 9, 1))
    on_the_eve = criterion(status(engine, playbook, "IN", date(2026, 8, 31)), "native_hire_started")
    assert (on_the_eve.value, on_the_eve.met) == (0.0, False)
    after = criterion(status(engine, playbook, "IN", TODAY), "native_hire_started")
    assert (after.value, after.met) == (1.0, True)


# --- ownership -------------------------------------------------------------------------------------


def plan(engine, code: str, name: str, owner: str = "", by: str = ACTOR) -> int:
    with write_session(engine) as session:
        campaign, _ = plan_campaign(
            session,
            code=code,
            name=name,
            channel="webinar",
            local_start=datetime(2026, 12, 2, 11, 0),
            by=by,
            owner=owner,
        )
        return campaign.id


def local_event(engine, code: str, name: str, by: str) -> int:
    with write_session(engine) as session:
        return add_local_event(
            session,
            code=code,
            name=name,
            kind="opportunity",
            start=date(2027, 1, 20),
            end=date(2027, 1, 22),
            by=by,
        ).id


def owned(engine, code: str = "IN") -> dict[str, tuple[list, list[str], list[str]]]:
    """Per hire: ((content id, locale) of translations, campaign names, event names)."""
    with read_session(engine) as session:
        return {
            o.hire.candidate: (
                sorted((t.content_id, t.locale) for t in o.translations),
                sorted(c.name for c in o.campaigns),
                sorted(e.name for e in o.events),
            )
            for o in ownership(session, code)
        }


def test_ownership_lists_what_each_hire_with_an_email_owns(engine, india):
    add(engine, "DE", START)
    hire(engine, "IN", SOURCED, candidate="Priya", email=PRIYA, stage="started")
    hire(engine, "IN", SOURCED, candidate="Arjun", email=ARJUN, stage="hired")
    hire(engine, "IN", SOURCED, candidate="No email yet", stage="offer")
    hire(engine, "DE", SOURCED, candidate="Priya in Germany", email=PRIYA)
    site = item(engine, "Website", "website", 900)
    ebook = item(engine, "Ebook", "ebook", 5000)
    translate(engine, "IN", site, "hi_IN", "in_progress", assignee=PRIYA)
    translate(engine, "IN", ebook, "hi_IN", "in_review", assignee=PRIYA)
    translate(engine, "IN", site, "en_IN", "published", assignee=ARJUN)
    translate(engine, "IN", ebook, "en_IN", "todo")  # nobody's
    translate(engine, "DE", site, "de_DE", "in_progress", assignee=PRIYA)  # another country
    plan(engine, "IN", "Diwali webinar", owner=PRIYA)
    cancelled = plan(engine, "IN", "Cancelled webinar", owner=PRIYA)
    with write_session(engine) as session:
        cancel_campaign(session, campaign_id=cancelled, by=ACTOR)
    plan(engine, "IN", "Republic Day emailing", owner=ARJUN)
    plan(engine, "IN", "Headquarters webinar", owner=ACTOR)
    plan(engine, "DE", "Berlin webinar", owner=PRIYA)  # another country
    local_event(engine, "IN", "Nasscom summit", by=PRIYA)
    local_event(engine, "IN", "Trade fair", by=ACTOR)
    local_event(engine, "DE", "dmexco", by=PRIYA)

    assert owned(engine) == {
        "Priya": ([(site, "hi_IN"), (ebook, "hi_IN")], ["Diwali webinar"], ["Nasscom summit"]),
        "Arjun": ([(site, "en_IN")], ["Republic Day emailing"], []),
    }
    assert list(owned(engine)) == ["Priya", "Arjun"]  # hires in the order they were added
    assert owned(engine, "DE") == {
        "Priya in Germany": ([(site, "de_DE")], ["Berlin webinar"], ["dmexco"]),
    }


def test_ownership_of_a_country_without_hires_with_email_is_empty(engine, india):
    hire(engine, "IN", SOURCED, candidate="No email yet")
    assert owned(engine) == {}


def test_ownership_matches_a_campaign_owner_whatever_the_case(engine, india):
    """Emails identify people case-insensitively everywhere else (assignees, actors are lowercased)."""
    hire(engine, "IN", SOURCED, candidate="Priya", email=PRIYA)
    plan(engine, "IN", "Diwali webinar", owner="Priya@Rollout.Example")
    assert owned(engine) == {"Priya": ([], ["Diwali webinar"], [])}


def test_the_same_candidate_is_not_added_twice_to_a_market(engine, india):
    first = hire(engine, "IN", SOURCED, role="Local marketing intern", candidate="Priya Nair")
    with pytest.raises(RolloutError, match=rf"candidate: Priya Nair is already a candidate in IN \(#{first}"):
        hire(engine, "IN", SOURCED, role="Local marketing intern", candidate=" priya nair ")
    assert count(engine, Hire) == 1 and count(engine, HireStageChange) == 1


def test_a_candidate_who_left_may_be_added_again(engine, india):
    first = hire(engine, "IN", SOURCED, role="Local marketing intern", candidate="Priya Nair")
    move(engine, first, "left", SOURCED, reason="took another offer")
    hire(engine, "IN", SOURCED, role="Local marketing intern", candidate="Priya Nair")
    assert count(engine, Hire) == 2
