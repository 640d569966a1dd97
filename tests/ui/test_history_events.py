"""The trail read as events: who (by name), what, to which record (by name), from where."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from rollout.ui.history import events

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
LUCIA = "lucia@rollout.example"


def trail(*rows) -> pd.DataFrame:
    columns = ["at", "who", "source", "action", "record", "field", "old", "new"]
    return pd.DataFrame([(AT, *row) for row in rows], columns=columns)


def test_a_stage_change_reads_as_a_move_by_name_with_its_source():
    changes = trail(
        (LUCIA, "import", "update", "opportunity 7", "stage", "qualified", "won"),
        (LUCIA, "import", "update", "opportunity 7", "amount", "100", "120"),
    )
    shown = events(changes, {LUCIA: "Lucía"}, {"opportunity 7": "São Martinho"})
    assert shown["what happened"].tolist() == ["Lucía moved São Martinho from Qualified to Won (import)"]
    assert shown["by"].tolist() == [LUCIA]


def test_adds_removals_and_edits_each_read_as_one_event():
    changes = trail(
        ("ana@rollout.example", "ui", "create", "localevent 3", "name", None, "Hannover Messe"),
        ("ana@rollout.example", "ui", "create", "localevent 3", "kind", None, "opportunity"),
        (LUCIA, "ui", "delete", "signal 9", "account", "Banco Norte", None),
        (LUCIA, "cli", "update", "hire 2", "removed_at", None, "2026-12-01T09:30:00+00:00"),
        (LUCIA, "ui", "update", "contentitem 5", "word_count", "100", "250"),
    )
    names = {
        "localevent 3": "Hannover Messe",
        "signal 9": "Banco Norte",
        "hire 2": "Priya",
        "contentitem 5": "Ebook",
    }
    shown = events(changes, {LUCIA: "Lucía"}, names)["what happened"].tolist()
    assert shown == [
        "ana@rollout.example added the local event Hannover Messe",  # no name known: the email
        "Lucía removed the signal Banco Norte",
        "Lucía removed the candidate Priya (command line)",
        "Lucía changed the piece Ebook: word count",
    ]
