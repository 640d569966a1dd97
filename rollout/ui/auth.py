"""Who is using the app: signed in with OIDC (`st.login`) when secrets have [auth], else the local user.

Local mode is for one person on their own machine: they are its admin, a banner says so, and the app refuses
to serve it on a network address unless ROLLOUT_ALLOW_REMOTE_LOCAL_MODE=true says that is intended.

An admin (signed in or local) can view the app as another active user, read-only, to check what that user is
offered: their pages, their countries, under a banner with a Stop button; the start and the stop are audited.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from rollout.platform import settings
from rollout.platform.access import Principal, principal, stop_viewing_as, view_as
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.identity import default_actor, email_verified
from rollout.platform.models import Role
from rollout.platform.users import ensure_local_admin, list_users
from rollout.ui import data
from rollout.ui.format import plain

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
USER_KEY = "_signed_in_user"  # who the pages serve: the signed-in user, or whom an admin views as
REAL_USER_KEY = "_real_user"  # who is signed in (or the local user)
VIEW_AS_KEY = "_view_as"  # the read-only principal an admin chose to view as (checked again every run)
VIEW_AS_PICK, VIEW_AS_ERROR = "view_as_pick", "_view_as_error"


def sign_in_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def remote_local_mode_allowed() -> bool:
    return settings.current().allow_remote_local_mode


def current_user() -> Principal:
    """The signed-in (or local) user, or whom an admin views the app as (read-only); set by
    `require_user` in app.py before any page runs."""
    return st.session_state[USER_KEY]


def require_user() -> Principal:
    """The user this session acts as; stops the script with a sign-in or refusal page when there is none.

    While an admin views the app as someone, that someone (read-only; app.py draws the banner).
    """
    st.session_state[data.READ_ONLY_KEY] = None  # signing in may write (local mode's first admin)
    real = _oidc_user() if sign_in_configured() else _local_user()
    st.session_state[REAL_USER_KEY] = real
    viewed = _viewed_as(real)
    st.session_state[data.READ_ONLY_KEY] = viewed
    st.session_state[USER_KEY] = viewed or real
    return viewed or real


def _viewed_as(real: Principal) -> Principal | None:
    """Whom `real` views the app as: only an admin, only a user still active, only as they started it
    (a principal in session state that this admin did not start is dropped)."""
    chosen = st.session_state.get(VIEW_AS_KEY)
    if not isinstance(chosen, Principal) or real.role != Role.ADMIN or chosen.viewed_by != real.email:
        st.session_state.pop(VIEW_AS_KEY, None)
        return None
    current = _principal(chosen.email)
    if current is None:
        st.session_state.pop(VIEW_AS_KEY, None)
        st.warning(plain(f"{chosen.email} is no longer an active user: you are yourself again."))
        return None
    return Principal(current.email, current.role, current.countries, current.name, viewed_by=real.email)


def view_as_banner() -> None:
    """Above the page, while an admin views the app as someone: whom, read-only, and Stop."""
    viewed = st.session_state.get(data.READ_ONLY_KEY)
    if viewed is None:
        return
    text, stop = st.columns([6, 1], vertical_alignment="center")
    text.warning(plain(f"Viewing as {viewed.describe()} — read-only."), icon=":material/visibility:")
    stop.button("Stop", key="view_as_stop", on_click=_stop_viewing, type="primary")


def _start_viewing() -> None:
    real: Principal = st.session_state[REAL_USER_KEY]
    try:
        with write_session(data.engine()) as session:
            viewed = view_as(session, by=real.email, email=st.session_state.get(VIEW_AS_PICK) or "")
    except RolloutError as error:
        st.session_state[VIEW_AS_ERROR] = str(error)
        return
    st.session_state[VIEW_AS_KEY] = st.session_state[data.READ_ONLY_KEY] = viewed


def _stop_viewing() -> None:
    viewed = st.session_state.pop(VIEW_AS_KEY, None)
    st.session_state[data.READ_ONLY_KEY] = None  # this session writes again: first, the stop itself
    if isinstance(viewed, Principal):
        try:
            with write_session(data.engine()) as session:
                stop_viewing_as(session, viewed)
        except RolloutError as error:  # the view has stopped all the same
            st.session_state[VIEW_AS_ERROR] = f"Stopped, but the stop was not recorded: {error}"


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


def sidebar_identity() -> None:
    user: Principal = st.session_state[REAL_USER_KEY]
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
    if user.role == Role.ADMIN and st.session_state.get(VIEW_AS_KEY) is None:
        _view_as_control(user)


def _view_as_control(admin: Principal) -> None:
    """For admins: view the app as another active user, read-only, to see what they are offered."""
    with read_session(data.engine()) as session:
        others = [u for u in list_users(session) if u.active and u.email != admin.email]
    people = {u.email: Principal(u.email, u.role, tuple(u.countries), u.name).describe() for u in others}
    with st.expander("View as another user", icon=":material/visibility:"):
        st.selectbox("User", list(people), key=VIEW_AS_PICK, format_func=people.__getitem__, index=None)
        st.button("View as", key="view_as_start", on_click=_start_viewing, disabled=not people)
        if error := st.session_state.pop(VIEW_AS_ERROR, None):
            st.error(plain(error))
