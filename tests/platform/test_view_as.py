"""An admin viewing the app as another user: only admins start it, only active users are viewed, every write
made while viewing is refused whatever it is, and the trail records who viewed as whom, start and stop."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from rollout.platform import audit
from rollout.platform.access import (
    Action,
    PermissionDenied,
    Principal,
    read_only,
    stop_viewing_as,
    view_as,
)
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import AppUser, AuditEntry
from rollout.platform.users import update_user
from tests.conftest import ACTOR
from tests.platform import test_access
from tests.platform.test_access import WRITES, attempt, audit_count, role_email

team = test_access.team  # Spain and Italy, a user per role scoped to Spain


def viewing(engine, email: str) -> Principal:
    with write_session(engine) as session:
        return view_as(session, by=ACTOR, email=email)


def view_as_entries(engine) -> list[tuple[str, str, str, dict]]:
    with read_session(engine) as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.table_name == audit.VIEW_AS).order_by(col(AuditEntry.id))
        )
        return [(e.actor, e.action, e.record_key, e.changes) for e in entries]


def test_every_write_is_refused_while_viewing_as_even_one_the_viewed_user_may_make(team):
    viewed = viewing(team, role_email("admin"))  # an admin (scoped to ES): every action is theirs
    assert viewed.read_only and viewed.viewed_by == ACTOR
    assert set(WRITES) == set(Action)  # a new action needs a write here
    for action in Action:
        before = audit_count(team)
        assert not attempt(read_only(team, viewed), action, viewed.email, "ES"), action
        assert audit_count(team) == before, action
        assert attempt(team, action, viewed.email, "ES"), action  # the same write, not viewing as: lands


def test_the_refusal_names_the_user_viewed_and_says_nothing_changed(team):
    viewed = viewing(team, role_email("sales"))
    with pytest.raises(PermissionDenied) as refused, write_session(read_only(team, viewed)) as session:
        WRITES[Action.LOG_PIPELINE](session, viewed.email, "ES")
    message = str(refused.value)
    assert "viewing Rollout as sales.es@rollout.example (sales · ES), read-only" in message
    assert message.endswith("Nothing was changed.")


def test_start_and_stop_are_recorded_with_who_viewed_as_whom(team):
    viewed = viewing(team, role_email("marketer"))
    assert (viewed.email, viewed.role, viewed.countries) == (role_email("marketer"), "marketer", ("ES",))
    with write_session(team) as session:
        stop_viewing_as(session, viewed)
    marketer = role_email("marketer")
    assert view_as_entries(team) == [
        (ACTOR, "start", marketer, {"viewing as": [None, marketer]}),
        (ACTOR, "stop", marketer, {"viewing as": [marketer, None]}),
    ]
    with read_session(team) as session:  # who viewed as whom changed no record: the tables replay as they are
        assert audit.replay(session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))) == (
            audit.current_state(session)
        )
        assert audit.history(session, table_name=audit.VIEW_AS)["who"].tolist() == [ACTOR, ACTOR]


def test_only_an_admin_may_start_viewing_as_and_nothing_is_recorded_otherwise(team):
    for role in ("leadership", "sales", "marketer"):
        with pytest.raises(PermissionDenied), write_session(team) as session:
            view_as(session, by=role_email(role), email=role_email("admin"))
    assert view_as_entries(team) == []


def test_only_an_active_other_user_can_be_viewed(team):
    with write_session(team) as session:
        sales = session.exec(select(AppUser).where(AppUser.email == role_email("sales"))).one()
        update_user(session, email=sales.email, active=False, by=ACTOR, expected_version=sales.version)
    with pytest.raises(RolloutError, match="not an active Rollout user"):
        viewing(team, role_email("sales"))
    with pytest.raises(RolloutError, match="that is you"):
        viewing(team, ACTOR)
    assert view_as_entries(team) == []


def test_an_admin_demoted_while_viewing_can_still_stop(team):
    viewed = viewing(team, role_email("sales"))
    with write_session(team) as session:
        me = session.exec(select(AppUser).where(AppUser.email == ACTOR)).one()
        update_user(session, email=ACTOR, role="sales", by="ceo@rollout.example", expected_version=me.version)
    with write_session(team) as session:
        stop_viewing_as(session, viewed)
    assert [entry[1] for entry in view_as_entries(team)] == ["start", "stop"]
