"""Roles and country scope, enforced by the rollout/ write functions themselves.

The matrix runs every role (scoped to Spain) × every kind of write × a country in and out of scope, and
counts the writes that landed without being allowed: the figure must be 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, func, select

from rollout.gates.decisions import mark_check
from rollout.marketing.campaigns import add_local_event
from rollout.marketing.content import save_content
from rollout.platform.access import PERMISSIONS, Action, PermissionDenied, authorize
from rollout.platform.countries import add_country, set_weekend
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import ROLES, AppUser, AuditEntry
from rollout.platform.users import add_user, bootstrap_admin, ensure_local_admin, update_user
from rollout.sales.money import Rate, save_rates
from rollout.sales.pipeline import log_signal
from tests.conftest import ACTOR, TODAY

WRITES: dict[Action, Callable[[Session, str, str], object]] = {
    Action.DECIDE_GATES: lambda s, by, code: mark_check(
        s, code=code, criterion_key="market_memo", checked=True, by=by, today=TODAY
    ),
    Action.MANAGE_COUNTRIES: lambda s, by, code: set_weekend(s, code=code, days=[5, 6], by=by),
    Action.LOG_PIPELINE: lambda s, by, code: log_signal(
        s, code=code, kind="meeting", occurred_on=TODAY, by=by, today=TODAY
    ),
    Action.MANAGE_MARKETING: lambda s, by, code: add_local_event(
        s, code=code, name=f"Feria of {by}", kind="opportunity", start=TODAY, end=TODAY, by=by
    ),
    Action.MANAGE_SETTINGS: lambda s, by, code: save_rates(
        s, [Rate("USD", TODAY, Decimal("1.1"))], by=by, source="manual"
    ),
    Action.MANAGE_USERS: lambda s, by, code: add_user(
        s, email=f"new.{code.lower()}@x.example", role="sales", by=by
    ),
}
COUNTRY_BOUND = {Action.DECIDE_GATES, Action.MANAGE_COUNTRIES, Action.LOG_PIPELINE, Action.MANAGE_MARKETING}


def role_email(role: str) -> str:
    return f"{role}.es@rollout.example"


@pytest.fixture
def team(engine):
    """Spain and Italy in the rollout; one user per role, each scoped to Spain."""
    with write_session(engine) as session:
        for code in ("ES", "IT"):
            add_country(session, code=code, start_date=TODAY - timedelta(days=30), by=ACTOR)
        for role in ROLES:
            add_user(session, email=role_email(role), role=role, countries=["ES"], by=ACTOR)
    return engine


def audit_count(engine) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def attempt(engine, action: Action, by: str, code: str) -> bool:
    try:
        with write_session(engine) as session:
            WRITES[action](session, by, code)
    except PermissionDenied:
        return False
    return True


def test_permission_matrix_every_role_action_and_scope_0_unauthorized_writes(team):
    unauthorized_writes = refused_with_changes = 0
    for role in ROLES:
        for action in Action:
            for code in ("ES", "IT"):
                allowed = action in PERMISSIONS[role] and (action not in COUNTRY_BOUND or code == "ES")
                before = audit_count(team)
                landed = attempt(team, action, role_email(role), code)
                changed = audit_count(team) - before
                assert landed == allowed, (role, action, code)
                unauthorized_writes += landed and not allowed
                refused_with_changes += (not landed) and changed > 0
                assert changed > 0 if landed else changed == 0
    print(
        f"permission matrix: {len(ROLES)} roles x {len(Action)} actions x 2 countries; "
        f"unauthorized writes: {unauthorized_writes}; refusals that changed data: {refused_with_changes}"
    )
    assert (unauthorized_writes, refused_with_changes) == (0, 0)


def test_an_unknown_or_deactivated_user_may_do_nothing(team):
    assert not attempt(team, Action.LOG_PIPELINE, "stranger@rollout.example", "ES")
    with write_session(team) as session:
        sales = session.exec(select(AppUser).where(AppUser.email == role_email("sales"))).one()
        update_user(session, email=sales.email, active=False, by=ACTOR, expected_version=sales.version)
    with pytest.raises(PermissionDenied, match="not an active Rollout user"), write_session(team) as session:
        log_signal(session, code="ES", kind="meeting", occurred_on=TODAY, by=role_email("sales"), today=TODAY)


def test_a_revoked_role_takes_effect_on_the_next_write(team):
    assert attempt(team, Action.LOG_PIPELINE, role_email("sales"), "ES")
    with write_session(team) as session:
        user = session.exec(select(AppUser).where(AppUser.email == role_email("sales"))).one()
        update_user(session, email=user.email, role="marketer", by=ACTOR, expected_version=user.version)
    assert not attempt(team, Action.LOG_PIPELINE, role_email("sales"), "ES")


def test_the_refusal_says_who_what_and_where(team):
    with pytest.raises(PermissionDenied) as refused, write_session(team) as session:
        authorize(session, role_email("sales"), Action.LOG_PIPELINE, "IT")
    assert "sales.es@rollout.example works on ES, not IT" in str(refused.value)
    with (
        pytest.raises(PermissionDenied, match=r"\(marketer\) may not log signals"),
        write_session(team) as session,
    ):
        authorize(session, role_email("marketer"), Action.LOG_PIPELINE, "ES")


def test_global_marketing_writes_need_the_role_but_no_country(team):
    with write_session(team) as session:
        item = save_content(session, by=role_email("marketer"), title="Pricing sheet", content_type="ebook")
    assert item.id is not None
    with pytest.raises(PermissionDenied), write_session(team) as session:
        save_content(session, by=role_email("sales"), title="Pricing", content_type="ebook")


def test_the_first_user_must_be_an_admin_then_only_admins_add_users(bare_engine):
    with (
        pytest.raises(RolloutError, match="first user must be an admin"),
        write_session(bare_engine) as session,
    ):
        add_user(session, email="seller@rollout.example", role="sales", by="seller@rollout.example")
    with write_session(bare_engine) as session:
        add_user(session, email="boss@rollout.example", role="admin", by="anyone@rollout.example")
    with write_session(bare_engine) as session:
        add_user(session, email="seller@rollout.example", role="sales", by="boss@rollout.example")
    with pytest.raises(PermissionDenied), write_session(bare_engine) as session:
        add_user(session, email="third@rollout.example", role="admin", by="seller@rollout.example")
    with read_session(bare_engine) as session:
        assert [u.email for u in session.exec(select(AppUser).order_by(AppUser.id))] == [
            "boss@rollout.example",
            "seller@rollout.example",
        ]


def test_user_input_is_checked_field_by_field(engine):
    cases = [
        ({"email": "not-an-email", "role": "sales"}, "email: 'not-an-email' is not an email address"),
        ({"email": "x@rollout.example", "role": "boss"}, "role: 'boss' is not one of"),
        ({"email": "x@rollout.example", "role": "sales", "countries": ["XX"]}, "'XX' is not an ISO 3166-1"),
        ({"email": ACTOR, "role": "sales"}, f"email: {ACTOR} is already a user"),
    ]
    for values, message in cases:
        with (
            pytest.raises(RolloutError, match=message.replace("(", r"\(").replace(")", r"\)")),
            write_session(engine) as session,
        ):
            add_user(session, by=ACTOR, **values)


def test_an_admin_cannot_lock_themselves_out(engine):
    with read_session(engine) as session:
        me = session.exec(select(AppUser).where(AppUser.email == ACTOR)).one()
    with (
        pytest.raises(RolloutError, match="cannot remove your own admin role"),
        write_session(engine) as session,
    ):
        update_user(session, email=ACTOR, role="sales", by=ACTOR, expected_version=me.version)


def test_local_mode_makes_the_local_user_admin_once(bare_engine):
    ensure_local_admin(bare_engine, "Me@Laptop.Local")
    ensure_local_admin(bare_engine, "me@laptop.local")
    with read_session(bare_engine) as session:
        users = session.exec(select(AppUser)).all()
        assert [(u.email, u.role, u.version) for u in users] == [("me@laptop.local", "admin", 1)]
    with write_session(bare_engine) as session:
        assert bootstrap_admin(session, "me@laptop.local") == "me@laptop.local"


def test_local_mode_on_a_database_with_admins_changes_no_role(engine):
    """Local mode pointed at a team's database must not hand out or change roles there."""
    with write_session(engine) as session:
        add_user(session, email="viewer@rollout.example", role="sales", by=ACTOR)
    for stranger in ("viewer@rollout.example", "someone.new@rollout.example"):
        with pytest.raises(PermissionDenied, match="not an admin of this database"):
            ensure_local_admin(engine, stranger)
    with read_session(engine) as session:
        viewer = session.exec(select(AppUser).where(AppUser.email == "viewer@rollout.example")).one()
        assert (viewer.role, viewer.version) == ("sales", 1)
        assert (
            session.exec(select(AppUser).where(AppUser.email == "someone.new@rollout.example")).first()
            is None
        )
    ensure_local_admin(engine, ACTOR)  # an admin of it: fine, and nothing written


def test_two_admins_demoting_each_other_at_once_leave_one_admin(bare_engine):
    with write_session(bare_engine) as session:
        add_user(session, email="boss@rollout.example", role="admin", by="boss@rollout.example")
        add_user(session, email="deputy@rollout.example", role="admin", by="boss@rollout.example")
    pairs = [
        ("boss@rollout.example", "deputy@rollout.example"),
        ("deputy@rollout.example", "boss@rollout.example"),
    ]
    barrier = threading.Barrier(2)

    def demote(pair: tuple[str, str]) -> bool:
        by, whom = pair
        barrier.wait()
        try:
            with write_session(bare_engine) as session:
                update_user(session, email=whom, role="sales", by=by, expected_version=1)
        except RolloutError:
            return False
        return True

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(demote, pairs))
    with read_session(bare_engine) as session:
        admins = session.exec(select(AppUser.email).where(AppUser.role == "admin")).all()
    assert (sorted(outcomes), len(admins)) == ([False, True], 1)


def test_every_role_has_a_permission_set():
    assert set(PERMISSIONS) == set(ROLES)
    assert PERMISSIONS["admin"] == frozenset(Action)
