"""Errors a user can act on. Their messages say what is wrong and where; nothing was changed."""

import re


class RolloutError(ValueError):
    """Bad input or a state that forbids the action."""


class NotFound(RolloutError):
    pass


class Conflict(RolloutError):
    """Someone else changed the same thing first."""


# Deliberately plain: letters, digits and . _ % + ' - around one @ (no markup, no spaces).
EMAIL = re.compile(r"[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)*")


def require_email(email: str, field: str) -> str:
    """An email typed in a form field (assignee, work email), lower-cased; the message names the field."""
    cleaned = (email or "").strip().lower()
    if not EMAIL.fullmatch(cleaned):
        raise RolloutError(f"{field}: '{email}' is not an email address")
    return cleaned


def require_actor(email: str) -> str:
    """Every write names the person acting; an email is how people are identified."""
    cleaned = (email or "").strip().lower()
    if not EMAIL.fullmatch(cleaned):
        raise RolloutError(f"'{email}' is not an email address: every change records who made it")
    return cleaned
