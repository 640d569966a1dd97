"""Local talent: hiring native marketers per country, and what each local hire owns."""

import pandas as pd
import streamlit as st

from rollout.marketing.talent import BASED, add_hire, hires, is_native, move_hire, stage_history
from rollout.platform import locales
from rollout.platform.db import read_session
from rollout.platform.models import HIRE_STAGES, Country
from rollout.ui import context, data, forms, tables
from rollout.ui.actions import write_then_rerun
from rollout.ui.talent_widgets import local_team

engine, locale, today, actor = data.engine(), context.viewer_locale(), context.today(), context.acting_user()
STAGE_LABELS = {s: s.replace("_", " ").capitalize() for s in HIRE_STAGES} | {
    "converted": "Converted to permanent"
}
BASED_LABELS = {"hq": "Headquarters", "in_country": "In the country"}


def tracker(country: Country) -> None:
    with read_session(engine) as session:
        people = hires(session, country.code)
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
        for h in people
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"hires_{country.code}")
    if people:
        move_form(country, people)
        history(people)


def history(people) -> None:
    with read_session(engine) as session:
        rows = [
            {
                "candidate": h.candidate,
                "stage": STAGE_LABELS[c.stage],
                "on": c.entered_on,
                "reason": c.reason,
                "by": c.recorded_by,
            }
            for h in people
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
            format_func=lambda lang: f"{locales.language_name(lang, locale)} ({lang})",
        )
        origin = right.selectbox(
            "From",
            ["", *locales.iso_country_codes()],
            key=f"hire_country_{country.code}",
            index=1 + locales.iso_country_codes().index(country.code),
            format_func=lambda c: locales.country_name(c, locale) if c else "—",
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
