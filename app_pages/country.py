"""Country: facts, phase history, the current gate's evidence, the decision form and the decision log."""

from datetime import date

import pandas as pd
import streamlit as st
from babel.numbers import list_currencies
from streamlit.elements.lib.column_types import ColumnConfig

from rollout.gates import candidates
from rollout.gates.conditions import clear_condition, parse_condition_lines
from rollout.gates.decisions import mark_checks, record_decision
from rollout.gates.portfolio import FORECAST_LABELS, HEALTH_LABELS, OUTCOME_LABELS, status_label
from rollout.gates.status import GateStatus, country_timeline, decisions
from rollout.platform import audit, locales
from rollout.platform.access import Action
from rollout.platform.countries import add_country, display_name, list_countries, update_facts
from rollout.platform.db import database_url, read_session, write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.models import Country, Decision
from rollout.ui import context, data, forms, people, tables
from rollout.ui.actions import Confirmation, ask_first, confirmations, write_then_rerun
from rollout.ui.format import evidence_table, format_day, format_number, plain
from rollout.ui.history import history_table
from rollout.ui.talent_widgets import local_team

engine, book = data.engine(), data.playbook()
EVIDENCE_COLUMNS: dict[str, str | ColumnConfig] = {
    "criterion": "Criterion",
    "kind": "Kind",
    "value": "Value",
    "threshold": "Threshold",
    "met": st.column_config.CheckboxColumn("Met"),
    "forecast": "Forecast",
    "projected": st.column_config.TextColumn("Projected at due date"),
    "note": "Note",
    "why": st.column_config.TextColumn("Why not met", width="large"),
}
locale, today, actor = context.viewer_locale(), context.today(), context.acting_user()
FACT_LABELS = {
    "display_name": "display name",
    "languages": "languages",
    "currency": "currency",
    "time_zones": "time zones",
    "main_time_zone": "main time zone",
    "first_week_day": "first day of the week",
}


def name_of(code: str) -> str:
    return f"{locales.country_name(code, locale)} ({code})"


def add_country_form(existing: set[str]) -> None:
    with st.expander("Add a country", expanded=not existing), st.form("add_country_form"):
        choices = [code for code in locales.iso_country_codes() if code not in existing]
        code = st.selectbox(
            "Country",
            choices,
            index=None,
            key="new_country_code",
            format_func=name_of,
            placeholder="Choose a country",
        )
        start = st.date_input("Sales test starts on", value=today, key="new_country_start")
        st.caption(
            "Languages, currency, time zones and first day of the week are filled in from CLDR and "
            "the time zone database; you can edit them afterwards."
        )
        if st.form_submit_button("Add country", type="primary"):
            if code is None:
                st.error("Country: choose one from the list.")
                return
            try:
                with write_session(engine) as session:
                    add_country(session, code=code, start_date=start, by=actor)
            except RolloutError as error:
                st.error(plain(str(error)))
                return
            data.after_write()
            context.flash(f"Added {name_of(code)}, starting {format_day(start, locale)}.")
            st.session_state["country_select"] = code
            st.rerun()


def facts_section(country: Country) -> None:
    opened = context.opened_version(f"facts_name_{country.code}", country.version)
    language_names = ", ".join(locales.language_name(lang, locale) for lang in country.languages) or "—"
    main = country.main_time_zone
    zones = [f"{main} (main)", *(z for z in country.time_zones if z != main)] if main else country.time_zones
    shown_zones = ", ".join(zones[:3]) + (f" and {len(zones) - 3} more" if len(zones) > 3 else "")
    shown_facts = {
        "Started": format_day(country.start_date, locale),
        "Currency": country.currency,
        "Week starts on": locales.weekday_name(country.first_week_day, locale),
        "Languages": language_names,
        "Time zones": shown_zones or "—",
    }
    for column, (label, value) in zip(st.columns([1, 1, 1, 1.4, 2.2]), shown_facts.items(), strict=True):
        column.caption(label)
        column.text(value)
    if not context.can(Action.MANAGE_COUNTRIES):
        return
    fields = {
        field: f"facts_{name}_{country.code}"
        for field, name in (
            ("display_name", "name"),
            ("languages", "languages"),
            ("currency", "currency"),
            ("time_zones", "zones"),
            ("main_time_zone", "main_zone"),
            ("first_week_day", "week"),
        )
    }
    stored = {field: getattr(country, field) for field in fields} | {
        "display_name": country.display_name or ""
    }
    start = forms.start_from(
        f"facts_{country.code}", country.code, {fields[field]: value for field, value in stored.items()}
    )
    currencies = sorted(set(list_currencies()) | {country.currency})
    with st.expander("Edit facts"), st.form(f"facts_form_{country.code}"):
        st.text_input(
            "Display name (leave empty for the name in each viewer's language)", key=fields["display_name"]
        )
        st.multiselect(
            "Languages (translation targets)",
            sorted(set(locales.viewer_locale("en").languages) | set(country.languages)),
            key=fields["languages"],
            format_func=lambda lang: f"{locales.language_name(lang, locale)} ({lang})",
        )
        st.selectbox("Currency", currencies, key=fields["currency"])
        st.multiselect(
            "Time zones",
            sorted(set(locales.all_time_zones()) | set(country.time_zones)),
            key=fields["time_zones"],
        )
        st.selectbox(
            "Main time zone (campaign times default to it; one of the time zones above)",
            sorted(set(locales.all_time_zones()) | {country.main_time_zone}),
            format_func=lambda zone: locales.zone_label(zone, locale) if zone else "—",
            key=fields["main_time_zone"],
        )
        st.selectbox(
            "First day of the week",
            range(7),
            format_func=lambda day: locales.weekday_name(day, locale),
            key=fields["first_week_day"],
        )
        if st.form_submit_button("Save facts"):
            # Only the fields changed are written: the rest (and the working week) stay as stored.
            changes = forms.named(forms.edited(start), fields)
            if not changes:
                st.info("Nothing changed.")
                return
            if "display_name" in changes:
                changes["display_name"] = changes["display_name"] or None
            try:
                with write_session(engine) as session:
                    update_facts(session, code=country.code, facts=changes, by=actor, expected_version=opened)
            except (RolloutError, ValueError) as error:
                if isinstance(error, Conflict):
                    context.forget_opened_version(f"facts_name_{country.code}")
                st.error(plain(str(error)))
                return
            context.forget_opened_version(f"facts_name_{country.code}")
            forms.restart()
            data.after_write()
            context.flash(f"Facts saved: {', '.join(FACT_LABELS[field] for field in changes)}.")
            st.rerun()


def history_section(code: str) -> None:
    with read_session(engine) as session:
        timeline = country_timeline(session, code, today, book)
    rows = [
        {
            "Phase": book.state_name(span.phase),
            "Started": span.started_on,
            "Gate due": span.due_on,
            "Ended": span.ended_on,
            "Outcome": OUTCOME_LABELS.get(span.outcome or "", "current"),
            "Extended (months)": span.extension_months,
            "Days on hold": sum((end - start).days for start, end in span.hold_periods(today)),
        }
        for span in timeline.spans
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key="phase_history")


def gate_section(status: GateStatus, currency: str) -> None:
    phase = book.phase(status.phase)
    st.subheader(f"Gate: {phase.gate_name}")
    if status.on_hold_since:
        st.warning(
            f"On hold since {format_day(status.on_hold_since, locale)}: the phase clock is stopped "
            "until the next decision."
        )
    due = f"due {format_day(status.gate_due, locale)}"
    st.caption(
        f"{phase.name}, day {status.days_in_phase} of {status.planned_days} · {due} · "
        f"{status.criteria_met}/{len(status.criteria)} criteria met · "
        f"health: {HEALTH_LABELS.get(status.health or '', status_label(status))}"
    )
    table = evidence_table(status.as_dict()["criteria"], currency, locale)
    tables.dataframe(table, hide_index=True, key="gate_evidence", column_config=EVIDENCE_COLUMNS)
    unmet_reasons(status)


def unmet_reasons(status: GateStatus) -> None:
    """Each unmet criterion's reason in words, with the records behind its value a click away."""
    for criterion in status.criteria:
        if criterion.met or not criterion.why:
            continue
        st.markdown(f"**{plain(criterion.name)}** — {plain(criterion.why)}")
        if criterion.rows:
            with st.expander(f"The {len(criterion.rows)} record(s) behind “{plain(criterion.name)}”"):
                tables.dataframe(
                    pd.DataFrame(list(criterion.rows)), hide_index=True, key=f"rows_{criterion.key}"
                )


def checks_form(status: GateStatus) -> None:
    checks = [c for c in status.criteria if c.kind == "check"]
    if not checks:
        return
    with st.form(f"checks_form_{status.country}"):
        st.markdown("**Checks** — tick what the review confirmed, with a note.")
        wanted = {
            c.key: (
                st.checkbox(c.name, value=c.met, key=f"check_{status.country}_{c.key}"),
                st.text_input(
                    "Note",
                    key=f"check_note_{status.country}_{c.key}",
                    label_visibility="collapsed",
                    placeholder=f"Note for “{c.name}”",
                ),
            )
            for c in checks
        }
        if st.form_submit_button("Save checks"):
            try:
                with write_session(engine) as session:
                    changed = mark_checks(
                        session, code=status.country, wanted=wanted, by=actor, playbook=book
                    )
            except RolloutError as error:
                st.error(plain(str(error)))
                return
            if not changed:
                st.info("Nothing changed.")
                return
            data.after_write()
            context.flash(f"Saved {changed} check(s).")
            st.rerun()


def conditions_form(status: GateStatus) -> None:
    """The conditions owed by this market, each cleared once and for good (the history keeps who and when)."""
    if not status.conditions:
        return
    with st.form(f"conditions_form_{status.country}"):
        st.markdown("**Conditions owed** — tick those now met.")
        chosen = {
            owed.id: st.checkbox(
                plain(f"{owed.text} · {owed.owner or 'no owner'} · due {format_day(owed.due_on, locale)}")
                + (" · overdue" if owed.overdue(today) else ""),
                key=f"clear_condition_{owed.id}",
            )
            for owed in status.conditions
        }
        note = st.text_input("How they were met", key=f"clear_conditions_note_{status.country}")
        if not st.form_submit_button("Clear the ticked conditions"):
            return
    ticked = [condition_id for condition_id, tick in chosen.items() if tick]
    if not ticked:
        st.info("Nothing ticked: no condition cleared.")
        return
    try:
        with write_session(engine) as session:
            for condition_id in ticked:
                clear_condition(session, condition_id=condition_id, by=actor, note=note, on=today)
    except RolloutError as error:
        st.error(plain(str(error)))
        return
    data.after_write()
    context.flash(f"Cleared {len(ticked)} condition(s).")
    st.rerun()


def decision_form(status: GateStatus) -> None:
    # The decision count the person saw when the form was drawn: if another decision lands before
    # they submit, record_decision refuses and says who decided.
    seen_key = f"decision_seen_{status.country}"
    seen = st.session_state.get(seen_key, status.decision_count)
    if st.session_state.pop(f"decision_recorded_{status.country}", False):
        st.session_state[f"decision_rationale_{status.country}"] = ""  # a fresh form for the next gate
        st.session_state[f"decision_conditions_{status.country}"] = ""
    next_phase = book.state_name(book.next_phase_key(status.phase))
    labels = {
        "go": f"Go — advance to {next_phase}",
        "extend": "Extend — repeat the phase for another period",
        "hold": "Hold — pause; the phase clock stops until the next decision",
        "stop": "Stop — exit the market",
    }
    if status.on_hold_since:
        labels.pop("hold")
    with st.form(f"decision_form_{status.country}"):
        st.markdown("**Record the gate decision**")
        outcome = st.radio(
            "Decision",
            list(labels),
            index=None,
            format_func=labels.get,
            key=f"decision_outcome_{status.country}",
        )
        months = st.number_input(
            "Extension (months, for Extend)",
            min_value=1,
            max_value=24,
            value=book.default_extension_months,
            key=f"decision_months_{status.country}",
        )
        rationale = st.text_area(
            "Rationale (required unless it is a Go on a gate whose criteria are all met)",
            key=f"decision_rationale_{status.country}",
        )
        typed_conditions = st.text_area(
            "Conditions, for a conditional Go: one a line, as “what | YYYY-MM-DD | owner email”",
            key=f"decision_conditions_{status.country}",
            placeholder="Native marketer hired | 2027-03-01 | ana@example.com",
            help="Each becomes a check of the next gate, owed until cleared; one past its date puts the "
            "market at risk.",
        )
        submitted = st.form_submit_button("Record decision", type="primary")
    st.session_state[seen_key] = status.decision_count
    if not submitted:
        return
    if outcome is None:
        st.error("Decision: choose go, extend, hold or stop.")
        return
    try:
        conditions = parse_condition_lines(typed_conditions)
    except RolloutError as error:
        st.error(plain(str(error)))
        return

    def decide(session):
        return record_decision(
            session,
            code=status.country,
            outcome=outcome,
            by=actor,
            rationale=rationale,
            extension_months=months if outcome == "extend" else None,
            expected_count=seen,
            expected_phase=status.phase,
            playbook=book,
            conditions=conditions,
        )

    def recorded(decision: Decision) -> str:
        st.session_state[f"decision_recorded_{status.country}"] = True
        with_conditions = f" with {len(conditions)} condition(s)" if conditions else ""
        return f"Recorded decision #{decision.sequence}: {OUTCOME_LABELS[decision.outcome]}{with_conditions}."

    if outcome == "stop":
        # A stop is for good: the market leaves the rollout and no later gate can bring it back.
        name = display_name(countries[status.country], locale)
        ask_first(
            Confirmation(
                title=f"Stop {name}?",
                consequence=f"{name} exits the rollout for good: no phase or gate follows a stop, and the "
                "decision cannot be undone.",
                button=f"Stop {name}",
                work=decide,
                message=recorded,
            )
        )
        return
    write_then_rerun(decide, recorded)


RECENT_DECISIONS = 10  # a market extended quarter after quarter gathers dozens, each with its evidence table


def candidate_evidence(code: str) -> None:
    """A market started from the candidates keeps its scores: the first evidence of its rollout."""
    with read_session(engine) as session:
        chosen = candidates.chosen_as_candidate(session, code)
    if chosen is None:
        return
    scores = ", ".join(
        f"{k.name} {chosen.scores[k.key]}" for k in book.candidate_criteria if k.key in chosen.scores
    )
    score = format_number(candidates.weighted_score(chosen.scores, book), locale, digits=2)
    st.caption(
        plain(f"Chosen from the candidate markets, score {score} ({scores}); started on ")
        + format_day(chosen.started_on, locale)
        + (plain(f". {chosen.note}") if chosen.note else "")
    )


def decision_log(log: list[Decision], currency: str) -> None:
    st.subheader("Decision log")
    if not log:
        st.write("No decision yet.")
        return
    earlier = max(len(log) - RECENT_DECISIONS, 0)  # the log is newest first
    if earlier and not st.toggle(
        f"Show the {earlier} earlier decision(s) too", key=f"decision_log_all_{log[0].country_code}"
    ):
        log = log[:RECENT_DECISIONS]
    known = people.names()
    for decision in log:
        evidence = decision.evidence or {}
        title = (
            f"#{decision.sequence} · {format_day(decision.decided_on, locale)} · "
            f"{book.state_name(decision.phase)}: {OUTCOME_LABELS[decision.outcome]}"
            + (f" {decision.extension_months} months" if decision.extension_months else "")
            + f" · {people.person(decision.decided_by, known)}"
        )
        with st.expander(plain(title)):
            if decision.rationale:
                st.text(decision.rationale)  # free text rendered as text, never as markup
            as_of = date.fromisoformat(evidence["as_of"]) if evidence.get("as_of") else None
            forecast = FORECAST_LABELS.get(evidence.get("forecast") or "", "—")
            st.caption(
                f"What the deciders saw on {format_day(as_of, locale)}: day {evidence.get('days_in_phase')} "
                f"of {evidence.get('planned_days')}, forecast {forecast}."
            )
            tables.dataframe(
                evidence_table(evidence.get("criteria", []), currency, locale),
                hide_index=True,
                key=f"evidence_{decision.id}",
                column_config=EVIDENCE_COLUMNS,
            )


st.title("Country")
context.show_flash()
with read_session(engine) as session:
    countries = {country.code: country for country in list_countries(session)}
if context.can(Action.MANAGE_COUNTRIES):
    add_country_form(set(countries))
countries = {code: country for code, country in countries.items() if context.user().covers(code)}
if not countries:
    st.info("No country yet: add one above, or load the demo data from the Portfolio page.")
    st.stop()

code = context.choose_country(countries, key="country_select")
country = countries[code]

# The gate's metrics are a query each (a quarter of a second at large): read through the cache, which every
# write here clears; record_decision refuses a decision made on a gate that has moved on meanwhile.
status = data.gate_status(database_url(), code, today)
with read_session(engine) as session:
    log = decisions(session, code)

st.header(plain(f"{display_name(country, locale)} · {book.state_name(status.phase)}"))
candidate_evidence(code)
facts_section(country)
st.subheader("Phase history")
history_section(code)
if status.at_gate and status.started:
    gate_section(status, book.reporting_currency)
    if context.can(Action.DECIDE_GATES):
        checks_form(status)
        conditions_form(status)
        decision_form(status)
        confirmations()
elif status.at_gate:
    st.info(f"The sales test starts on {format_day(status.phase_started, locale)}.")
else:
    st.info(
        f"{book.state_name(status.phase)} since {format_day(status.phase_started, locale)}: "
        "no gate left to decide."
    )
st.subheader("Local team")
local_team(engine, code)
decision_log(log, book.reporting_currency)
if context.can(Action.DECIDE_GATES):
    with st.expander("Changes to this country"), read_session(engine) as session:
        history_table(audit.history(session, country_code=code, limit=100), key=f"country_history_{code}")
        st.caption("The latest 100 changes; the History page has them all, per record too.")
