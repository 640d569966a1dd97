"""Running a write from a form: one transaction, the error shown in place, or a fresh page with a message."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlmodel import Session

from rollout.platform.db import write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.ui import context, data, forms
from rollout.ui.format import plain


def write_then_rerun(
    work: Callable[[Session], Any],
    message: str | Callable[[Any], str],
    opened: str | None = None,
    once: tuple[str, Hashable] | None = None,
    clear: Sequence[str] = (),
) -> None:
    """Run `work` in a write transaction. On bad input show why (nothing was written, the form keeps
    what was typed); on success clear cached reads and rerun with `message` shown on top. `opened` names
    the form's opened versions (see context.opened_version), forgotten after the save or a conflict.
    `once` (form, submitted values) makes a create form's repeat of the same submission a no-op (see
    forms.repeated); `clear` names the widgets emptied after a save, for the next entry."""
    if once is not None and forms.repeated(*once):
        st.info("Already saved: that was the same entry sent twice. Change something to add another.")
        return
    try:
        with write_session(data.engine()) as session:
            result = work(session)
    except Conflict as error:
        forms.forget_submission(once)
        context.forget_opened_version(opened)
        st.error(plain(str(error)))
        return
    except RolloutError as error:
        forms.forget_submission(once)
        st.error(plain(str(error)))
        return
    context.forget_opened_version(opened)
    forms.restart()
    forms.clear_next_run(clear)
    data.after_write()
    context.flash(message(result) if callable(message) else message)
    st.rerun()


PENDING_KEY = "_pending_confirmation"


@dataclass(frozen=True)
class Confirmation:
    """An irreversible write waiting for the user to confirm it, with the consequence named."""

    title: str
    consequence: str
    button: str
    work: Callable[[Session], Any]
    message: str | Callable[[Any], str]
    opened: str | None = None


def ask_first(confirmation: Confirmation) -> None:
    """Ask before an irreversible write: a dialog names the consequence; the write runs on confirmation.
    The question is kept until answered or dismissed; the page's `confirmations()`, called after its
    forms, draws it on every run until then."""
    st.session_state[PENDING_KEY] = confirmation


def confirmations() -> None:
    """Draw the question `ask_first` left open, if any (each page that asks calls this after its forms)."""
    confirmation = st.session_state.get(PENDING_KEY)
    if confirmation is not None:
        _dialog(confirmation)


def _forget() -> None:
    st.session_state.pop(PENDING_KEY, None)


@st.dialog("Please confirm", on_dismiss=_forget)
def _dialog(confirmation: Confirmation) -> None:
    st.markdown(f"**{plain(confirmation.title)}**")
    st.warning(plain(confirmation.consequence))
    yes, no = st.columns(2)
    if yes.button(plain(confirmation.button), type="primary", key="confirm_yes"):
        _forget()
        write_then_rerun(confirmation.work, confirmation.message, confirmation.opened)
    if no.button("Keep as is", key="confirm_no"):
        _forget()
        st.rerun()
