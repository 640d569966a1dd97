"""Edit forms that start from the record's stored values and hand back only what the user changed."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import streamlit as st

from rollout.platform.models import utc_now

STARTS_KEY, SUBMITTED_KEY, CLEAR_KEY = "_form_starts", "_form_submissions", "_form_clear"
# A browser sends a double-clicked form twice, with the same values, the second often after the first
# run has already saved: the same submission again within this many seconds is that second click.
REPEAT_SECONDS = 15


def start_from(form: str, record: Hashable, stored: Mapping[str, Any]) -> dict[str, Any]:
    """Fill the form's widgets (`stored`: widget key -> the record's value) with what is stored, and
    return the values the form started from, for `edited` to compare the submission with.

    The widgets are filled when the form opens on a record (another one, or after a save: see `restart`),
    or when Streamlit dropped a widget's state (the user was on another page). Otherwise they keep what
    the user typed, even after a refused save; a change stored meanwhile by someone else is caught by the
    record's version. Call it before drawing the widgets, which then take their value from their key only
    (no `value=`, `index=` or `default=`).
    """
    starts = st.session_state.setdefault(STARTS_KEY, {})
    opened = starts.get(form)
    if opened is None or opened[0] != record or any(key not in st.session_state for key in stored):
        for key, value in stored.items():
            st.session_state[key] = value
        starts[form] = opened = (record, dict(stored))
    return opened[1]


def restart() -> None:
    """After a save: the next run fills every form again from what is stored now (what was saved)."""
    st.session_state.pop(STARTS_KEY, None)


def edited(start: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted value of each widget (key) whose value differs from what the form started from."""
    return {
        key: st.session_state.get(key) for key, value in start.items() if st.session_state.get(key) != value
    }


def named(changes: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, Any]:
    """`changes` (widget key -> value) as field -> value, by `fields` (field -> widget key)."""
    return {field: changes[key] for field, key in fields.items() if key in changes}


def repeated(form: str, values: Hashable) -> bool:
    """Whether this submission of `form` repeats the one just sent (a double click); if not, it is
    remembered before the write, so a repeat arriving while the first one saves is caught too. A
    session's runs are one at a time, which is what makes the check and the mark one step."""
    submitted = st.session_state.setdefault(SUBMITTED_KEY, {})
    last = submitted.get(form)
    now = utc_now()
    if last is not None and last[0] == values and now - last[1] < timedelta(seconds=REPEAT_SECONDS):
        return True
    submitted[form] = (values, now)
    return False


def forget_submission(once: tuple[str, Hashable] | None) -> None:
    """A refused save: sending the corrected (or the same) form again is a new attempt, not a repeat."""
    if once is not None:
        st.session_state.get(SUBMITTED_KEY, {}).pop(once[0], None)


def clear_next_run(keys: Sequence[str]) -> None:
    """After a save, empty these text widgets on the next run (`clear_saved`), ready for the next entry.
    Dropping their state is not enough: the browser would send back what it still shows."""
    if keys:
        st.session_state[CLEAR_KEY] = [*st.session_state.get(CLEAR_KEY, []), *keys]


def clear_saved() -> None:
    """Empty the widgets `clear_next_run` named; call before drawing the form."""
    for key in st.session_state.pop(CLEAR_KEY, []):
        st.session_state[key] = ""
