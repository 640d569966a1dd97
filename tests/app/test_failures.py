"""A page's known failures are shown in words; unknown ones are left to Streamlit's redacted notice."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def failing_page(kind: str) -> None:
    import sqlite3

    import streamlit as st
    from sqlalchemy.exc import IntegrityError, OperationalError

    from rollout.platform.errors import RolloutError
    from rollout.ui.failures import explained_failures

    failures = {
        "rollout": RolloutError("Amount: 'ten' is not a number"),
        "locked": OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked")),
        "other_operational": OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: x")),
        "integrity": IntegrityError("INSERT …", {"email": "ana@x.example"}, sqlite3.IntegrityError("UNIQUE")),
        "bug": KeyError("phase_9"),
    }
    with explained_failures():
        st.write("before the failure")
        raise failures[kind]


def run(kind: str) -> AppTest:
    return AppTest.from_function(failing_page, args=(kind,)).run()


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("rollout", "Amount: 'ten' is not a number"),
        ("integrity", "The database refused this change (IntegrityError), so nothing was saved."),
    ],
)
def test_refusals_are_shown_as_errors_in_words(kind, expected):
    at = run(kind)
    assert not at.exception
    assert [e.value for e in at.error] == [at.error[0].value] and at.error[0].value.startswith(expected)
    assert "ana@x.example" not in at.error[0].value  # the statement's values never reach the page
    assert at.markdown[0].value == "before the failure"


def test_a_locked_database_asks_to_try_again():
    at = run("locked")
    assert not at.exception and not at.error
    assert "The database is busy" in at.warning[0].value


@pytest.mark.parametrize("kind", ["other_operational", "bug"])
def test_what_the_page_cannot_explain_is_not_dressed_up(kind):
    at = run(kind)
    assert at.exception  # Streamlit redacts it in the browser (showErrorDetails = "none")
    assert not at.error and not at.warning
