"""The reliability suite: many processes writing at once, an edit during an import, the tamper statements.

Every test here records its figures (writes made, rows found, errors) with `figure`; they are printed at
the end of the run, whatever pytest captures.
"""

from __future__ import annotations

import pytest

FIGURES: list[str] = []


def figure(line: str) -> None:
    FIGURES.append(line)
    print(line)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/reliability/" in item.nodeid:
            item.add_marker(pytest.mark.reliability)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
