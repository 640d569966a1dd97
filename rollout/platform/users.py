"""The app's own user table: who may sign in, with which role, on which countries."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from rollout.platform.access import Action, PermissionDenied, authorize, find_user
from rollout.platform.countries import normalize_code
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError, require_email
from rollout.platform.locking import require_version, touch
from rollout.platform.models import ROLES, AppUser, Role, utc_now


def _role(role: str) -> str:
    cleaned = (role or "").strip().lower()
    if cleaned not in ROLES:
        raise RolloutError(f"role: '{role}' is not one of {', '.join(ROLES)}")
    return cleaned


def _countries(codes: list[str]) -> list[str]:
    return sorted({normalize_code(code) for code in codes if code.strip()})


def _has_admin(session: Session) -> bool:
    admins = select(func.count()).select_from(AppUser).where(AppUser.role == Role.ADMIN, col(AppUser.active))
    return session.exec(admins).one() > 0


def add_user(
    session: Session, *, email: str, role: str, by: str, countries: list[str] | None = None, name: str = ""
) -> AppUser:
    """Add a user. The very first one must be an admin, added by anyone who can reach the database."""
    email, role, countries = require_email(email, "email"), _role(role), _countries(countries or [])
    if _has_admin(session):
        by = authorize(session, by, Action.MANAGE_USERS)
    elif role != Role.ADMIN:
        raise RolloutError(f"role: the first user must be an admin (to manage the others), not {role}")
    else:
        # Bootstrapping: the new admin is the one acting.
        by = session.info["actor"] = email
    if find_user(session, email) is not None:
        raise RolloutError(f"email: {email} is already a user; change their role instead")
    user = AppUser(
        email=email, name=name.strip(), role=role, countries=countries, updated_at=utc_now(), updated_by=by
    )
    session.add(user)
    session.flush()
    return user


def bootstrap_admin(session: Session, by: str) -> str:
    """On a database without an admin, `by` becomes its admin; otherwise `by` must already be one."""
    if _has_admin(session):
        return authorize(session, by, Action.MANAGE_SETTINGS)
    return add_user(session, email=by, role=Role.ADMIN, by=by).email


def update_user(
    session: Session,
    *,
    email: str,
    by: str,
    expected_version: int,
    role: str | None = None,
    countries: list[str] | None = None,
    active: bool | None = None,
) -> AppUser:
    by = authorize(session, by, Action.MANAGE_USERS)
    # Every admin row is locked first: two admins demoting each other at once must not leave none.
    session.exec(select(AppUser.id).where(AppUser.role == Role.ADMIN).with_for_update()).all()
    user = session.exec(
        select(AppUser)
        .where(col(AppUser.email) == (email or "").strip().lower())
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if user is None:
        raise NotFound(f"{email} is not a user")
    require_version(user, expected_version, f"user {user.email}")
    if role is not None:
        user.role = _role(role)
    if countries is not None:
        user.countries = _countries(countries)
    if active is not None:
        user.active = active
    if user.email == by and (user.role != Role.ADMIN or not user.active):
        raise RolloutError("you cannot remove your own admin role or deactivate yourself: ask another admin")
    touch(user, by)
    session.add(user)
    session.flush()
    if not _has_admin(session):
        raise RolloutError(f"{user.email} is the last active admin: make someone else admin first")
    return user


def list_users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).order_by(AppUser.role, AppUser.email)))


def ensure_local_admin(engine: Engine, email: str) -> None:
    """Local mode (no sign-in configured): the one person running Rollout is its admin.

    On a database without an active admin they become it; on one with admins they must be one already
    (local mode pointed at a team's database must not hand out or change roles there).
    """
    email = require_email(email, "local user")
    with read_session(engine) as session:
        if _is_active_admin(find_user(session, email)):
            return  # the usual case, on every rerun: no write lock taken
    with write_session(engine, source="local") as session:
        if _has_admin(session):
            raise PermissionDenied(
                f"{email} is not an admin of this database, which has admins: run local mode as one of them "
                "(ROLLOUT_USER), or configure sign-in. Nothing was changed."
            )
        session.info["actor"] = email
        user = find_user(session, email) or AppUser(
            email=email, name="local user", role=Role.ADMIN, version=0, updated_at=utc_now(), updated_by=email
        )
        user.role, user.active = Role.ADMIN, True
        touch(user, email)
        session.add(user)


def _is_active_admin(user: AppUser | None) -> bool:
    return user is not None and user.role == Role.ADMIN and user.active
