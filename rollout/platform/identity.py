"""Who is acting when nobody signed in: the local user, or ROLLOUT_USER."""

from rollout.platform import settings


def default_actor() -> str:
    return settings.current().user
