"""Failures a page can explain are shown in words; nothing internal reaches the browser.

Anything else propagates to Streamlit, which (client.showErrorDetails = "none") shows a redacted notice
and writes the traceback to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import DBAPIError, OperationalError

from rollout.platform.errors import RolloutError

log = logging.getLogger(__name__)

BUSY = (
    "The database is busy with another change (a large import, perhaps), so this was not saved. "
    "Try again in a moment: what you typed is still in the form."
)
REFUSED = (
    "The database refused this change ({kind}), so nothing was saved. "
    "Check the values you entered; if it happens again, tell your administrator."
)


@contextmanager
def explained_failures() -> Iterator[None]:
    """Run a page; a known failure becomes a message, the page's other output stays."""
    try:
        yield
    except RolloutError as error:
        st.error(str(error))
    except OperationalError as error:
        if "locked" not in str(error.orig).lower():
            raise
        log.warning("database busy: %s", error.orig)
        st.warning(BUSY)
    except DBAPIError as error:  # integrity or data errors the domain checks did not foresee
        log.exception("database refused a change")
        st.error(REFUSED.format(kind=type(error.orig).__name__))
