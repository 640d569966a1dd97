"""Who is using the app: signed in with OIDC (`st.login`) when secrets have [auth], else the local user.

Local mode is for one person on their own machine: they are its admin, a banner says so, and the app refuses
to serve it on a network address unless ROLLOUT_ALLOW_REMOTE_LOCAL_MODE=true says that is intended.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from rollout.platform import settings
from rollout.platform.access import Principal, principal
from rollout.platform.db import read_session
from rollout.platform.errors import RolloutError
from rollout.platform.identity import default_actor, email_verified
from rollout.platform.models import Role
from rollout.platform.users import ensure_local_admin
from rollout.ui import data
from rollout.ui.format import plain

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
USER_KEY = "_signed_in_user"


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def remote_local_mode_allowed() -> bool:
    return settings.current().allow_remote_local_mode


def current_user() -> Principal:
    """The signed-in (or local) user; set by `require_user` in app.py before any page runs."""
    return st.session_state[USER_KEY]


def require_user() -> Principal:
    """The user this session acts as; stops the script with a sign-in or refusal page when there is none."""
    user = _oidc_user() if sign_in_configured() else _local_user()
    st.session_state[USER_KEY] = user
    return user


def _local_user() -> Principal:
    if (exposure := _exposure()) and not remote_local_mode_allowed():
        st.error(
            f"Rollout runs in local mode (no sign-in is configured) but {exposure}, so others could reach "
            "it. Configure sign-in ([auth] in .streamlit/secrets.toml), serve it on 127.0.0.1, or set "
            "ROLLOUT_ALLOW_REMOTE_LOCAL_MODE=true if that is really intended."
        )
        st.stop()
    email = default_actor()
    user = _principal(email)
    if user is not None and user.role == Role.ADMIN:
        return user  # the usual case, on every rerun: one read, no write
    try:
        ensure_local_admin(data.engine(), email)
    except RolloutError as error:
        st.error(plain(str(error)))
        st.stop()
    return _principal_or_stop(email)


def _exposure() -> str | None:
    """How others could reach a local-mode app, or None when only this machine can."""
    address = st.get_option("server.address") or "0.0.0.0"
    if address not in LOOPBACK:
        return f"is served on {address}"
    # A loopback address reached through a reverse proxy or tunnel is not only this machine.
    headers = {name.lower() for name in st.context.headers}
    if headers & {"x-forwarded-for", "forwarded", "x-real-ip"}:
        return "this request came through a proxy or tunnel"
    return None


def _oidc_user() -> Principal:
    if not st.user.is_logged_in:
        st.title("Rollout")
        st.write("Sign in with your company account to continue.")
        st.button("Sign in", on_click=st.login, type="primary", key="sign_in")
        st.stop()
    if not email_verified(st.user):
        st.error(
            "Your identity provider has not said that your email address is verified, so Rollout cannot "
            "let you in: ask your IT team to verify it (or to send the email_verified claim)."
        )
        st.button("Sign out", on_click=st.logout, key="sign_out_unverified")
        st.stop()
    return _principal_or_stop(str(st.user.get("email") or ""))


def _principal(email: str) -> Principal | None:
    with read_session(data.engine()) as session:
        return principal(session, email)


def _principal_or_stop(email: str) -> Principal:
    user = _principal(email)
    if user is None:
        st.error(f"{plain(email) or 'Your account'} has no access to Rollout yet: ask an admin to add you.")
        if sign_in_configured():
            st.button("Sign out", on_click=st.logout, key="sign_out_refused")
        st.stop()
    return user


def sidebar_identity(user: Principal) -> None:
    scope = ", ".join(user.countries) or "all countries"
    if sign_in_configured():
        st.caption(plain(f"Signed in as {user.email} · {user.role} · {scope}"))
        st.button("Sign out", on_click=st.logout, key="sign_out")
    else:
        st.warning(
            plain(
                f"Local mode: no sign-in is configured, so you ({user.email}) are the admin. "
                "Configure [auth] in secrets to share Rollout with a team."
            ),
            icon=":material/person:",
        )
