"""Gate reviews: plan a review meeting, gatekeepers recommend, the chair decides, download the pack."""

import pandas as pd
import streamlit as st

from rollout.gates import candidates, reviews
from rollout.gates.conditions import parse_condition_lines
from rollout.gates.pack import review_pack
from rollout.gates.portfolio import HEALTH_LABELS, OUTCOME_LABELS
from rollout.platform import locales
from rollout.platform.access import Action
from rollout.platform.countries import display_name, list_countries
from rollout.platform.db import database_url, read_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import GateReview
from rollout.platform.users import list_users
from rollout.ui import context, data, people, tables
from rollout.ui.actions import Confirmation, ask_first, confirmations, write_then_rerun
from rollout.ui.format import format_day, format_number, plain

engine, book = data.engine(), data.playbook()
locale, today, actor = context.viewer_locale(), context.today(), context.acting_user()
DECIDERS = ("leadership", "admin")
OUTCOMES = {
    "go": "Go (add conditions below for a conditional go)",
    "extend": "Extend",
    "hold": "Hold",
    "stop": "Stop — exit the market",
}


def plan_form(countries: dict, users: list) -> None:
    chairs = [u.email for u in users if u.active and u.role in book.reviews.chair_roles]
    keepers = [u.email for u in users if u.active and u.role in DECIDERS]
    with st.expander("Plan a review", expanded=False), st.form("plan_review_form"):
        title = st.text_input("Title", key="review_title", placeholder="Q1 gate review")
        held_on = st.date_input("Held on", value=today, key="review_held_on")
        chair = st.selectbox("Chair", chairs, index=None, key="review_chair")
        markets = st.multiselect(
            "Markets on the agenda",
            list(countries),
            key="review_markets",
            format_func=lambda code: f"{display_name(countries[code], locale)} ({code})",
        )
        gatekeepers = st.multiselect("Gatekeepers invited", keepers, key="review_gatekeepers")
        if not st.form_submit_button("Plan the review", type="primary"):
            return
    if chair is None:
        st.error("Chair: choose who chairs the review.")
        return

    def plan(session):
        return reviews.create_review(
            session,
            title=title,
            held_on=held_on,
            chair=chair,
            markets=markets,
            gatekeepers=gatekeepers,
            by=actor,
            playbook=book,
        )

    def planned(review: GateReview) -> str:
        st.session_state["review_select"] = review.id
        return f"Planned “{review.title}” on {format_day(review.held_on, locale)}."

    write_then_rerun(plan, planned)


def recommendation_form(review: GateReview, code: str) -> None:
    key = f"{review.id}_{code}"
    with st.form(f"recommend_form_{key}"):
        st.markdown("**Your recommendation**")
        choice = st.radio(
            "Recommendation",
            list(reviews.RECOMMENDATION_LABELS),
            index=None,
            horizontal=True,
            format_func=reviews.RECOMMENDATION_LABELS.get,
            key=f"recommend_{key}",
        )
        comment = st.text_area("Comment", key=f"recommend_comment_{key}")
        if not st.form_submit_button("Record my recommendation"):
            return
    if choice is None:
        st.error("Recommendation: choose one.")
        return
    write_then_rerun(
        lambda session: reviews.record_recommendation(
            session,
            review_id=int(review.id or 0),
            code=code,
            recommendation=choice,
            comment=comment,
            by=actor,
        ),
        f"Recorded your recommendation for {code}: {reviews.RECOMMENDATION_LABELS[choice]}.",
    )


def chair_form(review: GateReview, code: str, recommended: int) -> None:
    key = f"{review.id}_{code}"
    quorum = book.reviews.quorum
    with st.form(f"chair_form_{key}"):
        st.markdown("**The chair's decision**")
        if quorum:
            st.caption(f"{recommended} of the {quorum} recommendations the playbook requires are in.")
        outcome = st.radio(
            "Decision", list(OUTCOMES), index=None, format_func=OUTCOMES.get, key=f"chair_{key}"
        )
        months = st.number_input(
            "Extension (months, for Extend)", 1, 24, book.default_extension_months, key=f"chair_months_{key}"
        )
        rationale = st.text_area("Rationale", key=f"chair_rationale_{key}")
        typed = st.text_area(
            "Conditions, for a conditional Go: one a line, as “what | YYYY-MM-DD | owner email”",
            key=f"chair_conditions_{key}",
        )
        if not st.form_submit_button("Record the decision", type="primary"):
            return
    if outcome is None:
        st.error("Decision: choose go, extend, hold or stop.")
        return
    try:
        conditions = parse_condition_lines(typed)
    except RolloutError as error:
        st.error(plain(str(error)))
        return

    def decide(session):
        return reviews.decide_in_review(
            session,
            review_id=int(review.id or 0),
            code=code,
            outcome=outcome,
            by=actor,
            rationale=rationale,
            extension_months=int(months) if outcome == "extend" else None,
            conditions=conditions,
            playbook=book,
        )

    message = f"Recorded the decision for {code}: {OUTCOME_LABELS[outcome]}" + (
        f" with {len(conditions)} condition(s)." if conditions else "."
    )
    if outcome == "stop":
        ask_first(
            Confirmation(
                title=f"Stop {code}?",
                consequence=f"{code} exits the rollout for good; the decision cannot be undone.",
                button=f"Stop {code}",
                work=decide,
                message=message,
            )
        )
        return
    write_then_rerun(decide, message)


def market_section(review: GateReview, market: reviews.MarketOnAgenda, countries: dict) -> None:
    code = market.code
    status = data.gate_status(database_url(), code, today)
    name = display_name(countries[code], locale) if code in countries else code
    st.subheader(plain(f"{name} · {book.state_name(status.phase)}"))
    health = HEALTH_LABELS.get(status.health or "", "—")
    st.caption(f"{status.criteria_met}/{len(status.criteria)} criteria met · {health}")
    st.page_link("app_pages/country.py", label="Open its gate", query_params={"country": code})
    shown = market.frozen if market.decision else market.recommendations
    if shown:
        rows = [
            {
                "gatekeeper": r["gatekeeper"],
                "recommends": reviews.RECOMMENDATION_LABELS[r["recommendation"]],
                "comment": r["comment"],
            }
            for r in shown
        ]
        tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"recs_{review.id}_{code}")
    else:
        st.write("No recommendation yet.")
    if market.decision:
        d = market.decision
        st.success(
            plain(f"Decided: {OUTCOME_LABELS[d.outcome]} on {format_day(d.decided_on, locale)}")
            + plain(f" by {people.person(d.decided_by, people.names_of(users))}")
            + " — the recommendations above are frozen with it."
        )
        return
    if actor in review.gatekeepers:
        recommendation_form(review, code)
    if actor == review.chair:
        chair_form(review, code, len(market.recommendations))


def candidate_markets(countries_in_rollout: set[str]) -> None:
    """Countries not yet in the rollout, scored on the playbook's weighted criteria and ranked."""
    with st.expander("Candidate markets: the next markets, ranked"):
        with read_session(engine) as session:
            ranking = candidates.ranked(session, book)
        if ranking:
            rows = [
                {"rank": c.rank, "country": f"{c.name} ({c.code})", "score": c.score}
                | {k.name: c.scores.get(k.key) for k in book.candidate_criteria}
                for c in ranking
            ]
            tables.dataframe(pd.DataFrame(rows), hide_index=True, key="candidate_table")
        else:
            st.write("No candidate market yet.")
        if not context.can(Action.MANAGE_COUNTRIES):
            return
        if ranking:
            start_form(ranking)
        weights = ", ".join(f"{k.name} ×{k.weight:g}" for k in book.candidate_criteria)
        with st.form("candidate_form"):
            st.markdown("**Score a candidate market** (1 to 5 each; weights from the playbook)")
            st.caption(plain(weights))
            choices = [code for code in locales.iso_country_codes() if code not in countries_in_rollout]
            code = st.selectbox(
                "Country", choices, index=None, key="candidate_code", format_func=locales.country_name
            )
            scores = {
                k.key: st.slider(k.name, 1, 5, 3, key=f"candidate_score_{k.key}")
                for k in book.candidate_criteria
            }
            note = st.text_input("Note", key="candidate_note")
            if not st.form_submit_button("Save the scores"):
                return
        if code is None:
            st.error("Country: choose one from the list.")
            return
        write_then_rerun(
            lambda session: candidates.save_candidate(
                session, code=code, scores=scores, by=actor, note=note, playbook=book
            ),
            f"Saved the scores of {locales.country_name(code)}.",
        )


def start_form(ranking: list[candidates.RankedCandidate]) -> None:
    """A ranked candidate enters the rollout: its sales test starts, its scores stay on record."""
    with st.form("candidate_start_form"):
        st.markdown("**Start a candidate's rollout**")
        labels = {
            c.code: f"#{c.rank} {c.name}, score {format_number(c.score, locale, digits=2)}" for c in ranking
        }
        code = st.selectbox(
            "Candidate", list(labels), index=None, format_func=labels.__getitem__, key="candidate_start_code"
        )
        start = st.date_input("Sales test starts on", value=today, key="candidate_start_on")
        if not st.form_submit_button("Start its rollout"):
            return
    if code is None:
        st.error("Candidate: choose one from the ranking.")
        return
    write_then_rerun(
        lambda session: candidates.start_candidate(session, code=code, start_date=start, by=actor),
        f"Started {locales.country_name(code)}: its sales test starts on {format_day(start, locale)}.",
    )


st.title("Gate reviews")
context.show_flash()
with read_session(engine) as session:
    countries = {c.code: c for c in list_countries(session) if context.user().covers(c.code)}
    users = list_users(session)
    all_reviews = reviews.list_reviews(session)
if context.can(Action.DECIDE_GATES):
    plan_form(countries, users)
candidate_markets(set(countries))
if not all_reviews:
    st.info("No review planned yet.")
    st.stop()

by_id = {int(r.id or 0): r for r in all_reviews}
if st.session_state.get("review_select") not in by_id:
    wanted = st.query_params.get("review", "")
    st.session_state["review_select"] = (
        int(wanted) if wanted.isdigit() and int(wanted) in by_id else next(iter(by_id))
    )
review_id = st.selectbox(
    "Review",
    list(by_id),
    key="review_select",
    format_func=lambda rid: f"{format_day(by_id[rid].held_on, locale)} · {by_id[rid].title}",
)
st.query_params["review"] = str(review_id)
review = by_id[review_id]
st.caption(plain(f"Chair: {review.chair} · gatekeepers: {', '.join(review.gatekeepers)}"))
with read_session(engine) as session:
    on_agenda = reviews.agenda(session, review)
    pack = review_pack(
        session,
        review.markets,
        title=f"{review.title} · {review.held_on.isoformat()}",
        today=today,
        playbook=book,
        recommendations={m.code: m.frozen or m.recommendations for m in on_agenda},
    )
st.download_button(
    "Download the review pack (HTML, prints to PDF)",
    pack,
    file_name=f"review-pack-{review.held_on.isoformat()}.html",
    mime="text/html",
    key="review_pack",
    on_click="ignore",
)
for market in on_agenda:
    market_section(review, market, countries)
confirmations()
