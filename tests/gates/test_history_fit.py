"""A playbook edited after decisions were taken at its gates is refused, naming the markets and phases."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.gates.playbook import parse_playbook
from rollout.gates.status import PlaybookOrphansHistory, require_playbook_fits_history
from rollout.platform.db import read_session
from tests.factories import PILOT_METRIC, TEST_PLAYBOOK_TOML, UNREGISTERED_METRIC, add, decide, make_playbook


def renamed_pilot():
    """The test playbook with its first phase's key changed, as an edit of the file would."""
    text = TEST_PLAYBOOK_TOML.format(
        threshold=15, months=3, metric=PILOT_METRIC, unregistered=UNREGISTERED_METRIC
    )
    return parse_playbook(text.replace('key = "pilot"', 'key = "trial"'), source="edited.toml")


def test_a_playbook_that_still_fits_every_recorded_decision_passes(engine):
    book = make_playbook()
    add(engine, "ES", date(2026, 1, 1))
    decide(engine, book, "ES", "go", date(2026, 3, 1))
    with read_session(engine) as session:
        require_playbook_fits_history(session, book)


def test_a_phase_renamed_after_its_gate_was_decided_is_refused_naming_market_and_phase(engine):
    book = make_playbook()
    add(engine, "ES", date(2026, 1, 1))
    add(engine, "IT", date(2026, 1, 1))  # no decision yet: nothing of it is orphaned
    decide(engine, book, "ES", "go", date(2026, 3, 1))
    with read_session(engine) as session, pytest.raises(PlaybookOrphansHistory) as refused:
        require_playbook_fits_history(session, renamed_pilot())
    message = str(refused.value)
    assert "edited.toml" in message and "1 market(s)" in message
    assert "ES: decision #1 (go on 2026-03-01) was taken at the 'pilot' gate" in message
    assert "IT" not in message
