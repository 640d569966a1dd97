"""People by name where Rollout knows one (a user's display name), by email otherwise."""

from __future__ import annotations

from rollout.platform.db import read_session
from rollout.platform.users import list_users
from rollout.ui import data


def names() -> dict[str, str]:
    """Each user's email -> their display name (users without one left out)."""
    with read_session(data.engine()) as session:
        return {user.email: user.name for user in list_users(session) if user.name}


def person(email: str, known: dict[str, str]) -> str:
    return known.get(email) or email
