"""The Gate reviews page: plan a review, each gatekeeper recommends, the chair decides with a condition,
the pack downloads. The local user (ceo@, an admin) chairs and is a gatekeeper; a leader is the other."""

from __future__ import annotations

from sqlmodel import col, select

from rollout.gates import reviews
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import (
    CandidateMarket,
    Country,
    Decision,
    GateCondition,
    GateReview,
    Recommendation,
)
from rollout.platform.users import add_user
from tests.app.conftest import assert_clean, count, shown
from tests.conftest import TODAY

CEO, LEADER = "ceo@rollout.example", "lea@rollout.example"


def reviews_page(demo_app):
    return demo_app.switch_page("app_pages/reviews.py").run()


def plan(at):
    at.text_input(key="review_title").input("Q4 gate review")
    at.selectbox(key="review_chair").set_value(CEO)
    at.multiselect(key="review_markets").set_value(["GB", "BR"])
    at.multiselect(key="review_gatekeepers").set_value([CEO, LEADER])
    next(b for b in at.button if b.label == "Plan the review").click().run()
    return at


def with_leader(url):
    with write_session(get_engine(url)) as session:
        add_user(session, email=LEADER, role="leadership", by=CEO)


def test_planning_a_review_from_the_form(demo_app, url):
    with_leader(url)
    at = plan(reviews_page(demo_app))
    assert_clean(at)
    assert any("Planned “Q4 gate review”" in shown(s.value) for s in at.success)
    with read_session(get_engine(url)) as session:
        [review] = session.exec(select(GateReview)).all()
    assert (review.chair, review.markets, review.gatekeepers) == (CEO, ["GB", "BR"], [CEO, LEADER])
    assert at.get("download_button")  # the pack


def test_planning_without_a_chair_is_refused(demo_app, url):
    at = reviews_page(demo_app)
    at.text_input(key="review_title").input("Q4")
    next(b for b in at.button if b.label == "Plan the review").click().run()
    assert any("Chair: choose" in shown(e.value) for e in at.error)
    assert count(url, GateReview) == 0


def test_recommend_then_the_chair_decides_a_conditional_go(demo_app, url):
    with_leader(url)
    at = plan(reviews_page(demo_app))
    review_id = at.session_state["review_select"]
    at.radio(key=f"recommend_{review_id}_GB").set_value("conditional_go")
    at.text_area(key=f"recommend_comment_{review_id}_GB").input("Go once the hire is in")
    next(b for b in at.button if b.label == "Record my recommendation").click().run()
    assert_clean(at)
    assert count(url, Recommendation) == 1
    # The quorum is two: the chair cannot decide yet.
    at.radio(key=f"chair_{review_id}_GB").set_value("go")
    at.text_area(key=f"chair_rationale_{review_id}_GB").input("Wins are in")
    next(b for b in at.button if b.label == "Record the decision").click().run()
    assert any("quorum: 1 of the 2" in shown(e.value) for e in at.error)
    with write_session(get_engine(url)) as session:
        reviews.record_recommendation(
            session, review_id=review_id, code="GB", recommendation="go", comment="Numbers hold", by=LEADER
        )
    at.run()
    at.radio(key=f"chair_{review_id}_GB").set_value("go")
    at.text_area(key=f"chair_rationale_{review_id}_GB").input("Wins are in")
    at.text_area(key=f"chair_conditions_{review_id}_GB").input("Native marketer hired | 2099-03-01")
    next(b for b in at.button if b.label == "Record the decision").click().run()
    assert_clean(at)
    assert any("Recorded the decision for GB: Go with 1 condition(s)." in shown(s.value) for s in at.success)
    with read_session(get_engine(url)) as session:
        decision = session.exec(select(Decision).order_by(col(Decision.id).desc())).first()
    assert [r["gatekeeper"] for r in decision.evidence["recommendations"]] == [CEO, LEADER]
    assert count(url, GateCondition) == 1
    assert any("frozen with it" in shown(s.value) for s in at.success)


def test_scoring_a_candidate_market_from_the_form(demo_app, url):
    at = reviews_page(demo_app)
    at.selectbox(key="candidate_code").set_value("PL")
    at.slider(key="candidate_score_market_size").set_value(5)
    next(b for b in at.button if b.label == "Save the scores").click().run()
    assert_clean(at)
    assert any("Saved the scores of Poland." in shown(s.value) for s in at.success)
    table = next(d for d in at.dataframe if "rank" in d.value.columns).value
    assert list(table["country"]) == ["Poland (PL)"] and table.iloc[0]["Market size"] == 5
    with read_session(get_engine(url)) as session:
        [candidate] = session.exec(select(CandidateMarket)).all()
    assert candidate.scores["market_size"] == 5 and candidate.scores["partners"] == 3


def test_starting_a_ranked_candidate_from_the_page(demo_app, url):
    at = reviews_page(demo_app)
    at.selectbox(key="candidate_code").set_value("PL")
    next(b for b in at.button if b.label == "Save the scores").click().run()
    start = at.selectbox(key="candidate_start_code")
    assert start.options == ["#1 Poland, score 3"]
    start.set_value("PL")
    at.date_input(key="candidate_start_on").set_value(TODAY)
    next(b for b in at.button if b.label == "Start its rollout").click().run()
    assert_clean(at)
    assert any("Started Poland: its sales test starts on" in shown(s.value) for s in at.success)
    with read_session(get_engine(url)) as session:
        [candidate] = session.exec(select(CandidateMarket)).all()
        poland = session.get(Country, "PL")
    assert candidate.started_on == TODAY and poland is not None and poland.start_date == TODAY
    assert not any("rank" in d.value.columns for d in at.dataframe)  # no candidate left to rank
    # Its scores stay on record: the country page shows them as the first evidence of its rollout.
    country = at.switch_page("app_pages/country.py")
    country.query_params["country"] = "PL"
    country.run()
    assert_clean(country)
    assert "Poland" in country.header[0].value
    assert any(
        "Chosen from the candidate markets, score 3 (Market size 3" in shown(c.value) for c in country.caption
    )
