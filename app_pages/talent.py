"""Local talent: hiring native marketers per country, and what each local hire owns."""

import pandas as pd
import streamlit as st

from rollout.marketing.talent import (
    BASED,
    HIRE_FIELDS,
    add_hire,
    hires,
    is_native,
    move_hire,
    remove_hire,
    stage_history,
    update_hire,
)
from rollout.platform import locales
from rollout.platform.db import read_session
from rollout.platform.models import HIRE_STAGES, Country
from rollout.ui import context, corrections, data, forms, people, tables
from rollout.ui.actions import confirmations, write_then_rerun
from rollout.ui.talent_widgets import local_team

engine, locale, today, actor = data.engine(), context.viewer_locale(), context.today(), context.acting_user()
STAGE_LABELS = {s: s.replace("_", " ").capitalize() for s in HIRE_STAGES} | {
    "converted": "Converted to permanent"
}
BASED_LABELS = {"hq": "Headquarters", "in_country": "In the country"}


def tracker(country: Country) -> None:
    with read_session(engine) as session:
        candidates = hires(session, country.code)
    rows = [
        {
            "#": h.id,
            "candidate": h.candidate,
            "role": h.role,
            "stage": STAGE_LABELS[h.stage],
            "native": ", ".join(locales.language_name(lang, locale) for lang in h.native_languages),
            "from": locales.country_name(h.native_country, locale) if h.native_country else "",
            "native hire": is_native(h, country.code, country.languages),
            "based": BASED_LABELS[h.based],
            "email": h.email,
        }
        for h in candidates
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"hires_{country.code}")
    if candidates:
        move_form(country, candidates)
        correct_form(country, candidates)
        history(candidates)


def history(candidates) -> None:
    known = people.names()
    with read_session(engine) as session:
        rows = [
            {
                "candidate": h.candidate,
                "stage": STAGE_LABELS[c.stage],
                "on": c.entered_on,
                "reason": c.reason,
                "by": people.person(c.recorded_by, known),
            }
            for h in candidates
            for c in stage_history(session, h.id)
        ]
    with st.expander("Stage history"):
        tables.dataframe(pd.DataFrame(rows), hide_index=True, key="hire_history")


def next_stage(stage: str) -> str:
    """What a candidate usually moves to next (one who converted can only leave)."""
    return HIRE_STAGES[min(HIRE_STAGES.index(stage) + 1, len(HIRE_STAGES) - 1)]


def move_form(country: Country, people) -> None:
    opened = context.opened_version(f"move_hire_{country.code}", {h.id: h.version for h in people})
    st.markdown("**Move a candidate**")
    # Picked outside the form, so the form proposes that candidate's next stage and shows their email.
    hire_id = st.selectbox(
        "Candidate",
        [h.id for h in people],
        key=f"move_hire_{country.code}",
        format_func=lambda i: next(f"{h.candidate} ({STAGE_LABELS[h.stage]})" for h in people if h.id == i),
    )
    hire = next(h for h in people if h.id == hire_id)
    stage_key, email_key = f"move_stage_{country.code}", f"move_email_{country.code}"
    start = forms.start_from(
        f"move_{country.code}", hire_id, {stage_key: next_stage(hire.stage), email_key: hire.email}
    )
    with st.form(f"move_form_{country.code}"):
        left, right = st.columns(2)
        stage = left.selectbox("To stage", HIRE_STAGES, format_func=STAGE_LABELS.__getitem__, key=stage_key)
        on = right.date_input("On", value=today, max_value=today, key=f"move_on_{country.code}")
        left.text_input("Work email (once hired: what they own is found by it)", key=email_key)
        reason = right.text_input("Reason (required to move back)", key=f"move_reason_{country.code}")
        if st.form_submit_button("Move"):
            email = forms.edited(start).get(email_key)  # None: left as it was
            write_then_rerun(
                lambda session: move_hire(
                    session,
                    hire_id=hire_id,
                    stage=stage,
                    by=actor,
                    on=on,
                    reason=reason,
                    email=email,
                    expected_version=opened.get(hire_id),
                ),
                lambda hire: f"{hire.candidate}: {STAGE_LABELS[stage]}.",
                opened=f"move_hire_{country.code}",
            )


def language_label(lang: str) -> str:
    return f"{locales.language_name(lang, locale)} ({lang})"


def origin_label(code: str) -> str:
    return locales.country_name(code, locale) if code else "—"


def correct_form(country: Country, people) -> None:
    """Correct a candidate's details, or remove one added by mistake (asked first)."""
    picker = f"fix_hire_{country.code}"
    st.markdown("**Correct or remove a candidate**")
    hire_id = st.selectbox(
        "Candidate to correct",
        [h.id for h in people],
        key=picker,
        format_func=lambda i: next(f"{h.candidate} · {h.role}" for h in people if h.id == i),
    )
    hire = next(h for h in people if h.id == hire_id)
    fields = {name: f"fix_hire_{name}_{country.code}" for name in HIRE_FIELDS}
    stored = {key: getattr(hire, name) for name, key in fields.items()}
    start, version = corrections.start_editing(picker, hire_id, stored, hire.version)
    with st.form(f"fix_hire_form_{country.code}"):
        left, right = st.columns(2)
        left.text_input("Candidate", key=fields["candidate"])
        right.text_input("Role", key=fields["role"])
        left.multiselect(
            "Native language(s)",
            sorted(set(locales.viewer_locale("en").languages) | set(hire.native_languages)),
            key=fields["native_languages"],
            format_func=language_label,
        )
        right.selectbox(
            "From", ["", *locales.iso_country_codes()], key=fields["native_country"], format_func=origin_label
        )
        left.radio("Based", BASED, format_func=BASED_LABELS.get, horizontal=True, key=fields["based"])
        right.text_input("Work email", key=fields["email"])
        if st.form_submit_button("Save candidate"):
            corrections.save_changes(
                start,
                fields,
                lambda session, changes: update_hire(
                    session, hire_id=hire_id, by=actor, expected_version=version, **changes
                ),
                lambda saved: f"Saved {saved.candidate}.",
            )
    corrections.remove_button(
        label=f"Remove {hire.candidate}…",
        title=f"Remove the candidate {hire.candidate} ({hire.role})?",
        consequence=f"{hire.candidate} is no longer listed in {country_label(country)} nor counted in its "
        "gate. Their record and stage history stay, in the History page.",
        work=lambda session: remove_hire(session, hire_id=hire_id, by=actor, expected_version=version),
        message=f"Removed {hire.candidate}.",
        key=f"remove_hire_{country.code}",
    )


def country_label(country: Country) -> str:
    return locales.country_name(country.code, locale)


def add_form(country: Country) -> None:
    forms.clear_saved()  # after an entry was saved: an empty form for the next
    with st.form(f"hire_form_{country.code}"):
        st.markdown("**Add a candidate**")
        left, right = st.columns(2)
        candidate = left.text_input("Candidate", key=f"hire_candidate_{country.code}")
        role = right.text_input("Role", value="Local marketing intern", key=f"hire_role_{country.code}")
        languages = left.multiselect(
            "Native language(s)",
            sorted(locales.viewer_locale("en").languages),
            default=country.languages[:1],
            key=f"hire_languages_{country.code}",
            format_func=language_label,
        )
        origin = right.selectbox(
            "From",
            ["", *locales.iso_country_codes()],
            key=f"hire_country_{country.code}",
            index=1 + locales.iso_country_codes().index(country.code),
            format_func=origin_label,
        )
        based = left.radio(
            "Based", BASED, format_func=BASED_LABELS.get, horizontal=True, key=f"hire_based_{country.code}"
        )
        if st.form_submit_button("Add candidate"):
            write_then_rerun(
                lambda session: add_hire(
                    session,
                    code=country.code,
                    role=role,
                    candidate=candidate,
                    by=actor,
                    native_languages=languages,
                    native_country=origin,
                    based=based,
                    on=today,
                ),
                f"Added {candidate} as a candidate ({role}).",
                once=(f"hire_form_{country.code}", repr((candidate, role, languages, origin, based))),
                clear=[f"hire_candidate_{country.code}"],
            )


st.title("Local talent")
context.show_flash()
countries = context.countries_or_stop()
code = context.choose_country(countries, key="talent_country")
st.caption(
    "Natives of the country — often interns based at headquarters — who make the marketing feel local: "
    "the tone of emails, webinar times, campaigns tied to local holidays."
)
tracker(countries[code])
add_form(countries[code])
st.subheader("What each local hire owns")
local_team(engine, code)
confirmations()
