"""Who may do what, on which countries. Every write function calls `authorize` before it changes anything.

Roles (a user has one) and what each may change:
- leadership: gate decisions and check marks, countries and their facts; sees everything;
- marketer: content, translations, hires, campaigns and local events of their countries;
- sales: signals, opportunities, CRM imports and mappings of their countries;
- admin: users and settings (exchange rates, demo data), and everything the others may do, so that
  one person running Rollout alone (local mode) is never locked out.
A user's `countries` limits the country-bound actions to those countries; an empty list means all.
The acting user is looked up in the same transaction as the write, so a revoked role takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

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
    return Principal(user.email, user.role, tuple(user.countries))


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
