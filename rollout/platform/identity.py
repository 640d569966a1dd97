"""Who is acting: the local user or ROLLOUT_USER when nobody signed in, and which sign-ins to trust."""

from collections.abc import Mapping
from typing import Any

from rollout.platform import settings


def default_actor() -> str:
    return settings.current().user


def email_verified(claims: Mapping[str, Any]) -> bool:
    """Whether an identity provider's claims say the email is verified: `email_verified` true, or the
    string "true" (some providers send strings). Anything else — missing, false, "false", 1, "yes" —
    is not: an unverified email could be anyone's address, so it must never match a Rollout user."""
    claim = claims.get("email_verified")
    return claim is True or (isinstance(claim, str) and claim.strip().lower() == "true")
