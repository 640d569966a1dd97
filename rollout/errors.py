"""Errors a user can act on. Their messages say what is wrong and where; nothing was changed."""


class RolloutError(ValueError):
    """Bad input or a state that forbids the action."""


class NotFound(RolloutError):
    pass


class Conflict(RolloutError):
    """Someone else changed the same thing first."""


def require_actor(email: str) -> str:
    """Every write names the person acting; an email is how people are identified."""
    cleaned = (email or "").strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or not domain or " " in cleaned:
        raise RolloutError(f"'{email}' is not an email address: every change records who made it")
    return cleaned
