"""Who is acting when nobody signed in: the local user, or ROLLOUT_USER."""

import getpass
import os


def default_actor() -> str:
    return os.environ.get("ROLLOUT_USER") or f"{getpass.getuser()}@localhost"
