"""People by name where Rollout knows one (a user's display name), by email otherwise."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from rollout.platform.db import read_session
from rollout.platform.models import AppUser
from rollout.platform.users import list_users
from rollout.ui import data


def names() -> dict[str, str]:
    """Each user's email -> their display name (users without one left out)."""
    with read_session(data.engine()) as session:
        return names_of(list_users(session))


def names_of(users: Iterable[AppUser]) -> dict[str, str]:
    """`names()` of users a page has read already."""
    return {user.email: user.name for user in users if user.name}


def person(email: str, known: dict[str, str]) -> str:
    return known.get(email) or email


def named(frame: pd.DataFrame, column: str, known: dict[str, str] | None = None) -> pd.DataFrame:
    """The table with `column`'s emails shown as people's names where known (downloads keep the emails)."""
    known = names() if known is None else known
    return frame.assign(**{column: frame[column].map(lambda email: person(email, known))})
