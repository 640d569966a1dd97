"""Candidate markets: scored on the playbook's weighted criteria, ranked, started from there."""

from __future__ import annotations

from datetime import date

import pytest

from rollout.gates import candidates
from rollout.gates.playbook import PlaybookError, load_playbook, parse_playbook
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import CandidateMarket
from tests.conftest import ACTOR
from tests.factories import add

SCORES = {"market_size": 5, "competition": 2, "language_overlap": 4, "time_zone_overlap": 5, "partners": 1}


def save(engine, code, **scores):
    with write_session(engine) as session:
        return candidates.save_candidate(session, code=code, scores=scores, by=ACTOR).id


def test_the_weighted_score_is_the_mean_by_the_playbooks_weights():
    book = load_playbook()  # weights 3, 2, 2, 1, 2
    assert candidates.weighted_score(SCORES, book) == pytest.approx((15 + 4 + 8 + 5 + 2) / 10)
    assert candidates.weighted_score({"market_size": 5}, book) == pytest.approx(1.5)  # unscored count 0


def test_candidates_are_ranked_and_rescoring_keeps_the_other_scores(engine):
    save(engine, "PL", **SCORES)
    save(engine, "MX", market_size=5, partners=5)
    save(engine, "MX", competition=5, language_overlap=5, time_zone_overlap=2)
    with read_session(engine) as session:
        ranking = candidates.ranked(session)
    assert [(c.rank, c.code) for c in ranking] == [(1, "MX"), (2, "PL")]
    assert ranking[0].scores == {"market_size": 5, "partners": 5, "competition": 5, "language_overlap": 5,
                                 "time_zone_overlap": 2}  # fmt: skip
    assert ranking[0].missing == []


@pytest.mark.parametrize(
    ("scores", "complaint"),
    [({"size": 3}, "score size: not a candidate criterion"), ({"partners": 6}, "from 1 to 5")],
)
def test_bad_scores_are_refused_and_nothing_is_saved(engine, scores, complaint):
    with pytest.raises(RolloutError, match=complaint):
        save(engine, "PL", **scores)
    with read_session(engine) as session:
        assert session.get(CandidateMarket, 1) is None


def test_starting_a_candidate_adds_the_country_and_keeps_its_score(engine):
    save(engine, "PL", **SCORES)
    add(engine, "ES", date(2026, 1, 1))  # added directly, never a candidate
    with read_session(engine) as session:
        assert candidates.chosen_as_candidate(session, "PL") is None  # not started yet
    with write_session(engine) as session:
        country = candidates.start_candidate(session, code="pl", start_date=date(2027, 1, 4), by=ACTOR)
        assert country.start_date == date(2027, 1, 4)
    with read_session(engine) as session:
        assert candidates.ranked(session) == []  # started: no longer a candidate
        chosen = candidates.chosen_as_candidate(session, "pl")
        assert chosen is not None and chosen.scores == SCORES
        assert candidates.chosen_as_candidate(session, "ES") is None
        stored = session.get(CandidateMarket, 1)
        assert stored is not None and stored.scores == SCORES and stored.started_on == date(2027, 1, 4)
    with pytest.raises(RolloutError, match="already in the rollout"):
        save(engine, "PL", partners=3)


def test_a_country_in_the_rollout_is_not_a_candidate(engine):
    add(engine, "ES", date(2026, 1, 1))
    with pytest.raises(RolloutError, match="already in the rollout"):
        save(engine, "ES", partners=3)


def test_candidate_criteria_with_a_bad_weight_are_refused():
    text = '[candidates]\ncriteria = [{ key = "size", name = "Size", weight = 0 }]\n'
    text += '[[phases]]\nkey = "a"\nname = "A"\nmonths = 1\n[phases.gate]\nname = "G"\n'
    text += '[[phases.gate.criteria]]\nkey = "c"\nname = "C"\nkind = "check"\n'
    with pytest.raises(PlaybookError, match="criterion 'size': 'weight' must be a number above 0"):
        parse_playbook(text, source="p.toml")
