"""Every unmet criterion says why in words, with the rows behind its value (the demo's markets)."""

from __future__ import annotations

import json

import pytest

from rollout.demo import load_demo
from rollout.gates import status as gates
from rollout.platform.db import read_session
from tests.conftest import TODAY


@pytest.fixture
def demo(engine, playbook):
    load_demo(engine, by="demo@rollout.example", today=TODAY, playbook=playbook)
    return engine


def unmet(engine, playbook, code: str) -> dict[str, gates.CriterionResult]:
    with read_session(engine) as session:
        gate = gates.gate_status(session, code, today=TODAY, playbook=playbook)
    return {c.key: c for c in gate.criteria if c.kind == "metric" and not c.met}


def test_the_launch_gate_names_the_pages_and_pieces_missing(demo, playbook):
    india = unmet(demo, playbook, "IN")
    site = india["site_live"]
    assert "Hindi Website: home not published" in site.why
    assert {row["locale"] for row in site.rows} == {"hi_IN"}
    top = india["top_content_translated"]
    assert top.why.startswith("4 of the 5 most requested pieces not published in every target language: ")
    assert "(Hindi)" in top.why and len(top.rows) == 5


def test_the_sales_gate_lists_the_meetings_and_deals_behind_its_values(demo, playbook):
    japan = unmet(demo, playbook, "JP")
    meetings = japan["qualified_meetings"]
    assert "14 qualified meeting(s)" in meetings.why and "1 more qualified meetings needed" in meetings.why
    assert sum(row["qualified"] for row in meetings.rows) == 14
    opened = japan["opportunities_opened"]
    assert len(opened.rows) == 4 and all(row["deal"] in opened.why for row in opened.rows)


def test_explanations_are_frozen_with_the_evidence_as_json(demo, playbook):
    with read_session(demo) as session:
        gate = gates.gate_status(session, "JP", today=TODAY, playbook=playbook)
    frozen = json.loads(json.dumps(gate.as_dict()))  # what a decision stores
    assert all(c["why"] for c in frozen["criteria"] if c["kind"] == "metric" and not c["met"])


def test_the_portfolio_does_not_explain(demo, playbook):
    with read_session(demo) as session:
        statuses = gates.portfolio(session, today=TODAY, playbook=playbook)
    assert all(not c.why and not c.rows for s in statuses for c in s.criteria)
