"""Correcting a record added by mistake: an edit form that starts from what is stored, and a removal
that asks first, naming the record."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import streamlit as st
from sqlmodel import Session

from rollout.ui import forms
from rollout.ui.actions import Confirmation, ask_first, write_then_rerun
from rollout.ui.format import plain


def start_editing(
    form: str, record: Hashable, stored: Mapping[str, Any], version: int
) -> tuple[dict[str, Any], int]:
    """forms.start_from, with the record's version as the form was filled: a save names it, so a change
    saved meanwhile (by someone else, or by another form of this page) is refused, not overwritten."""
    start = forms.start_from(form, record, {**stored, f"{form}_opened_version": version})
    return start, start[f"{form}_opened_version"]


def save_changes(
    start: Mapping[str, Any],
    fields: Mapping[str, str],
    work: Callable[[Session, dict[str, Any]], Any],
    message: str | Callable[[Any], str],
) -> None:
    """Write only what the user changed (field -> widget key in `fields`), or say nothing changed."""
    changes = forms.named(forms.edited(start), fields)
    if not changes:
        st.info("Nothing changed.")
        return
    write_then_rerun(lambda session: work(session, changes), message)


def remove_button(
    *, label: str, title: str, consequence: str, work: Callable[[Session], Any], message: str, key: str
) -> None:
    """A button that asks first (the page calls actions.confirmations() after its forms)."""
    if st.button(plain(label), key=key):  # a label quotes what people typed: never read as Markdown
        ask_first(
            Confirmation(
                title=title, consequence=consequence, button=label.rstrip("…"), work=work, message=message
            )
        )
