"""Who may do what, on which countries. Every write function calls `authorize` before it changes anything.

Roles (a user has one) and what each may change:
- leadership: gate decisions and check marks, countries and their facts; sees everything;
- marketer: content, translations, hires, campaigns and local events of their countries;
- sales: signals, opportunities, CRM imports and mappings of their countries;
- admin: users and settings (exchange rates, demo data), and everything the others may do, so that
  one person running Rollout alone (local mode) is never locked out.
A user's `countries` limits the country-bound actions to those countries; an empty list means all.
The acting user is looked up in the same transaction as the write, so a revoked role takes effect at once.

An admin may view the app as another user (`view_as`): they are offered what that user is offered, on an
engine marked read-only (`read_only`), on which every write session is refused, whatever page asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from rollout.platform import audit
from rollout.platform.errors import RolloutError, require_actor
from rollout.platform.models import AppUser, Role


class PermissionDenied(RolloutError):
    """The acting user may not do this; nothing was changed."""


class Action(StrEnum):
    DECIDE_GATES = "decide gates and mark gate checks"
    MANAGE_COUNTRIES = "add countries and edit their facts"
    LOG_PIPELINE = "log signals and change the pipeline"
    MANAGE_MARKETING = "change content, translations, hires, campaigns and local events"
    MANAGE_SETTINGS = "change settings (exchange rates, demo data)"
    MANAGE_USERS = "add and change users"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.LEADERSHIP: frozenset({Action.DECIDE_GATES, Action.MANAGE_COUNTRIES}),
    Role.MARKETER: frozenset({Action.MANAGE_MARKETING}),
    Role.SALES: frozenset({Action.LOG_PIPELINE}),
    Role.ADMIN: frozenset(Action),
}
assert set(PERMISSIONS) == set(Role)


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the app sees them: what pages to offer and which countries to list."""

    email: str
    role: str
    countries: tuple[str, ...] = ()
    name: str = ""
    viewed_by: str | None = None  # the admin viewing the app as this user: then nothing may be changed

    @property
    def read_only(self) -> bool:
        return self.viewed_by is not None

    def describe(self) -> str:
        """ "Lucía (sales · BR, MX)": who this is, their role and countries."""
        return f"{self.name or self.email} ({self.role} · {', '.join(self.countries) or 'all countries'})"

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[Role(self.role)]

    def covers(self, country_code: str) -> bool:
        return not self.countries or country_code in self.countries


def find_user(session: Session, email: str) -> AppUser | None:
    cleaned = (email or "").strip().lower()
    return session.exec(select(AppUser).where(col(AppUser.email) == cleaned)).first()


def principal(session: Session, email: str) -> Principal | None:
    """The active user with this email, or None (unknown or deactivated)."""
    user = find_user(session, email)
    if user is None or not user.active:
        return None
    return Principal(user.email, user.role, tuple(user.countries), user.name)


def authorize(session: Session, by: str, action: Action, country_code: str | None = None) -> str:
    """Check that `by` may do `action` (on `country_code`): the cleaned email, or PermissionDenied.

    The email is remembered on the session, so the audit trail records who made each change.
    """
    email = require_actor(by)
    user = principal(session, email)
    if user is None:
        raise PermissionDenied(
            f"{email} is not an active Rollout user: an admin can add you. Nothing was changed."
        )
    if not user.may(action):
        raise PermissionDenied(f"{email} ({user.role}) may not {action}. Nothing was changed.")
    if country_code is not None and not user.covers(country_code):
        raise PermissionDenied(
            f"{email} works on {', '.join(user.countries)}, not {country_code}. Nothing was changed."
        )
    session.info["actor"] = email
    return email


# The execution option that marks an engine read-only: the principal being viewed as.
READ_ONLY_OPTION = "rollout_read_only"


def read_only(engine: Engine, viewed: Principal) -> Engine:
    """`engine` for an admin viewing the app as `viewed`: reads as usual, every write session refused."""
    return engine.execution_options(**{READ_ONLY_OPTION: viewed})


def refuse_if_read_only(engine: Engine) -> None:
    """PermissionDenied on a read-only engine (see `read_only`): called by every write session."""
    viewed = engine.get_execution_options().get(READ_ONLY_OPTION)
    if viewed is not None:
        raise PermissionDenied(
            f"You are viewing Rollout as {viewed.describe()}, read-only: nothing can be changed while "
            "viewing as someone (press Stop in the banner to act as yourself again). Nothing was changed."
        )


def view_as(session: Session, *, by: str, email: str) -> Principal:
    """An admin (`by`) starts viewing the app as the active user `email`, recorded in the audit trail;
    the principal returned is that user, read-only."""
    admin = authorize(session, by, Action.MANAGE_USERS)
    viewed = principal(session, email)
    if viewed is None:
        raise RolloutError(f"view as: {email} is not an active Rollout user. Nothing was changed.")
    if viewed.email == admin:
        raise RolloutError("view as: that is you; choose another user. Nothing was changed.")
    audit.record_view_as(session, viewed.email, started=True)
    return Principal(viewed.email, viewed.role, viewed.countries, viewed.name, viewed_by=admin)


def stop_viewing_as(session: Session, viewed: Principal) -> None:
    """The admin who was viewing the app as `viewed` acts as themselves again, recorded in the trail.
    Always allowed: it gives no one more access, and an admin demoted meanwhile must still be able to stop."""
    if viewed.viewed_by is None:
        raise RolloutError(f"{viewed.email} is not being viewed as. Nothing was changed.")
    session.info["actor"] = require_actor(viewed.viewed_by)
    audit.record_view_as(session, viewed.email, started=False)
