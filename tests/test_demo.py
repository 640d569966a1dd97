"""The demo data: eight markets at known points of the playbook, loaded in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rollout.demo import load_demo
from rollout.gates.status import country_timeline, decisions, portfolio
from rollout.platform.db import read_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import CheckMark, Country, Decision
from tests.conftest import ACTOR, TODAY
from tests.factories import add, count


def days_ago(days: int):
    return TODAY - timedelta(days=days)


@pytest.fixture
def demo(engine, playbook):
    assert load_demo(engine, by=ACTOR, today=TODAY, playbook=playbook) == 8
    return engine


def statuses(engine, playbook):
    with read_session(engine) as session:
        return {status.country: status for status in portfolio(session, today=TODAY, playbook=playbook)}


def all_decisions(engine) -> list[Decision]:
    with read_session(engine) as session:
        found = decisions(session)
        session.expunge_all()
    return found


def test_demo_countries_are_where_their_decisions_took_them(demo, playbook):
    found = {
        code: (status.phase, status.phase_started, status.decision_count)
        for code, status in statuses(demo, playbook).items()
    }
    assert found == {
        "ES": ("established", days_ago(190), 4),
        "IN": ("marketing_launch", days_ago(290), 5),
        "IT": ("marketing_launch", days_ago(60), 4),
        "DE": ("local_talent", days_ago(50), 3),
        "GB": ("first_signings", days_ago(58), 1),
        "BR": ("sales_test", days_ago(45), 0),
        "AE": ("exited", days_ago(75), 2),
        "JP": ("sales_test", days_ago(120), 1),
    }


def test_demo_japan_is_on_hold(demo, playbook):
    japan = statuses(demo, playbook)["JP"]
    assert japan.on_hold_since == days_ago(40)
    assert japan.days_in_phase == 80  # 120 days since the start, less 40 on hold
    assert japan.gate_due == days_ago(120) + timedelta(days=92) + timedelta(days=40)  # 3 months + hold
    assert [status.country for status in statuses(demo, playbook).values() if status.on_hold_since] == ["JP"]


def test_demo_india_was_held_then_extended(demo, playbook):
    with read_session(demo) as session:
        india = country_timeline(session, "IN", today=TODAY, playbook=playbook)
        outcomes = [d.outcome for d in reversed(decisions(session, "IN"))]
    assert outcomes == ["go", "extend", "go", "hold", "extend"]
    launch = india.current
    assert (launch.phase, launch.held_days, launch.held_since, launch.extension_months) == (
        "marketing_launch",
        130,
        None,
        3,
    )
    first_signings = india.spans[1]
    assert (first_signings.extension_months, first_signings.outcome) == (3, "go")


def test_every_demo_decision_froze_its_evidence(demo):
    stored = all_decisions(demo)
    assert len(stored) == 20
    for decision in stored:
        evidence = decision.evidence
        assert evidence["criteria"], decision
        assert evidence["phase"] == decision.phase
        assert evidence["as_of"] == decision.decided_on.isoformat()
        assert evidence["decision_count"] == decision.sequence - 1
        assert decision.decided_at.date() == decision.decided_on


def test_demo_ticks_precede_their_decisions(demo):
    first_spain = next(d for d in all_decisions(demo) if (d.country_code, d.sequence) == ("ES", 1))
    memo = next(c for c in first_spain.evidence["criteria"] if c["key"] == "market_memo")
    assert memo["met"] is True
    assert memo["note"] == "ticked by ceo@rollout.example: reviewed at the gate meeting"
    assert count(demo, CheckMark) == 11  # ES 3, IN 2, IT 2, DE 2, GB 1, AE 1


def test_demo_loads_only_into_an_empty_database(engine, playbook):
    add(engine, "FR", TODAY)
    with pytest.raises(RolloutError, match="already has countries"):
        load_demo(engine, by=ACTOR, today=TODAY, playbook=playbook)
    assert (count(engine, Country), count(engine, Decision), count(engine, CheckMark)) == (1, 0, 0)


def test_loading_the_demo_twice_is_refused(demo, playbook):
    with pytest.raises(RolloutError, match="already has countries"):
        load_demo(demo, by=ACTOR, today=TODAY, playbook=playbook)
    assert count(demo, Country) == 8


def test_a_broken_demo_file_loads_nothing(engine, playbook, tmp_path):
    broken = tmp_path / "demo.toml"
    broken.write_text(
        '[[countries]]\ncode = "ES"\nstart_days_ago = 100\n'
        'decisions = [{ days_ago = 10, outcome = "go", by = "ceo@rollout.example", rationale = "ok" }]\n\n'
        '[[countries]]\ncode = "FR"\nstart_days_ago = 100\n'
        'decisions = [{ days_ago = 10, outcome = "stop", by = "ceo@rollout.example" }]\n',  # no rationale
        encoding="utf-8",
    )
    with pytest.raises(RolloutError, match="rationale: required to stop"):
        load_demo(engine, by=ACTOR, today=TODAY, playbook=playbook, path=broken)
    assert (count(engine, Country), count(engine, Decision), count(engine, CheckMark)) == (0, 0, 0)


def test_demo_needs_an_email(engine, playbook):
    with pytest.raises(RolloutError, match="not an email address"):
        load_demo(engine, by="demo", today=TODAY, playbook=playbook)
    assert count(engine, Country) == 0


def test_demo_local_hires_own_their_markets_translations_and_campaigns(demo, engine):
    from rollout.marketing.talent import ownership

    with read_session(engine) as session:
        [jonas] = ownership(session, "DE")
    assert jonas.hire.email == "jonas.becker@rollout.example"
    assert jonas.translations and jonas.campaigns


def test_loading_the_demo_reports_each_country_then_done(engine, playbook):
    told = []
    load_demo(engine, by=ACTOR, today=TODAY, playbook=playbook, progress=lambda *step: told.append(step))
    assert [done for done, _, _ in told] == list(range(9))
    assert {total for _, total, _ in told} == {8}
    assert told[0][2] and told[-1][2] == ""  # a country code each step, none once done
