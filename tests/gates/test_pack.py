"""The review pack: each market's phase, criteria with values, thresholds and why, conditions, pipeline,
content, hiring and previous decisions; offline (no external resource) and escaped."""

from __future__ import annotations

import re

import pytest

from rollout.demo import load_demo
from rollout.gates.pack import review_pack
from rollout.platform.db import read_session
from rollout.platform.errors import RolloutError
from tests.conftest import TODAY


@pytest.fixture
def pack(engine, playbook):
    load_demo(engine, by="demo@rollout.example", today=TODAY, playbook=playbook)
    with read_session(engine) as session:
        return review_pack(session, ["IN", "jp"], title="Q4 <review>", today=TODAY, playbook=playbook)


def test_the_pack_has_each_markets_criteria_and_history(pack, playbook):
    assert pack.startswith("<!DOCTYPE html>") and "<title>Q4 &lt;review&gt;</title>" in pack
    india = pack[pack.index('id="market-IN"') : pack.index('id="market-JP"')]
    japan = pack[pack.index('id="market-JP"') :]
    for criterion in playbook.phase("marketing_launch").criteria:
        assert criterion.name in india
    for criterion in playbook.phase("sales_test").criteria:
        assert criterion.name in japan
    assert "Hindi Website: home not published" in india  # the why of an unmet criterion
    assert "On hold" in japan and "Previous decisions" in japan and "Hold" in japan
    for section in ("Pipeline", "Content", "Hiring", "Conditions owed"):
        assert f"<h3>{section}</h3>" in india
    assert "<svg" in india  # the criteria chart, inline


def test_the_pack_needs_nothing_from_the_network(pack):
    assert not re.search(r"""(src|href)=["']?https?:""", pack)
    assert "<script" not in pack


def test_a_pack_of_no_market_is_refused(engine):
    with pytest.raises(RolloutError, match="at least one market"), read_session(engine) as session:
        review_pack(session, [])
