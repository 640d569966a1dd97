"""Users: who may sign in, with which role, on which countries (admins only)."""

import pandas as pd
import streamlit as st

from rollout.platform.countries import list_countries
from rollout.platform.db import read_session
from rollout.platform.locales import country_name
from rollout.platform.models import ROLES
from rollout.platform.users import add_user, list_users, update_user
from rollout.ui import context, data, forms, tables
from rollout.ui.actions import Confirmation, ask_first, confirmations, write_then_rerun

st.title("Users")
context.show_flash()
actor, locale = context.acting_user(), context.viewer_locale()
with read_session(data.engine()) as session:
    users = list_users(session)
    country_codes = [country.code for country in list_countries(session)]

st.caption(
    "Leadership decides gates and sees everything; marketers work on content, translations, hires and "
    "campaigns, sales on the pipeline, of their countries (none listed: all); admins manage users, settings."
)
tables.dataframe(
    pd.DataFrame(
        [
            {
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "countries": ", ".join(user.countries) or "all",
                "active": user.active,
                "changed": user.updated_at,
                "by": user.updated_by,
            }
            for user in users
        ]
    ),
    hide_index=True,
    key="users_table",
    column_config={"changed": "Changed"},
)


def country_label(code: str) -> str:
    return f"{country_name(code, locale)} ({code})"


with st.form("add_user", clear_on_submit=False):
    st.subheader("Add a user")
    cols = st.columns([3, 2, 2])
    email = cols[0].text_input("Email", key="new_user_email")
    name = cols[1].text_input("Name", key="new_user_name")
    role = cols[2].selectbox("Role", ROLES, key="new_user_role")
    countries = st.multiselect(
        "Countries", country_codes, key="new_user_countries", format_func=country_label, placeholder="All"
    )
    if st.form_submit_button("Add user", type="primary"):
        write_then_rerun(
            lambda session: add_user(
                session, email=email, name=name, role=role, countries=countries, by=actor
            ),
            lambda user: f"Added {user.email} as {user.role}.",
        )

if users:
    st.subheader("Change a user")
    by_email = {user.email: user for user in users}
    chosen = by_email[st.selectbox("User", list(by_email), key="edit_user")]
    # The version this form was opened at: a save after someone else's change is refused, not merged.
    # Widget keys name the user: a keyed widget keeps its value, so shared keys would carry one user's
    # role and countries into another's form.
    role_key = f"edit_user_role_{chosen.email}"
    opened_at = context.opened_version(role_key, chosen.version)
    fields = {
        "role": role_key,
        "countries": f"edit_user_countries_{chosen.email}",
        "active": f"edit_user_active_{chosen.email}",
    }
    start = forms.start_from(
        f"edit_user_{chosen.email}",
        chosen.email,
        {fields["role"]: chosen.role, fields["countries"]: chosen.countries, fields["active"]: chosen.active},
    )
    with st.form(f"edit_user_{chosen.email}"):
        cols = st.columns([2, 3, 1])
        cols[0].selectbox("Role", ROLES, key=fields["role"])
        cols[1].multiselect(
            "Countries",
            sorted(set(country_codes) | set(chosen.countries)),
            format_func=country_label,
            placeholder="All",
            key=fields["countries"],
        )
        cols[2].checkbox("Active", key=fields["active"])
        if st.form_submit_button("Save"):
            # Only what was changed is written (update_user keeps what it is not given).
            changes = forms.named(forms.edited(start), fields)
            if not changes:
                st.info("Nothing changed.")
            else:

                def save(session):
                    return update_user(
                        session, email=chosen.email, by=actor, expected_version=opened_at, **changes
                    )

                def saved(user) -> str:
                    countries = ", ".join(user.countries) or "all countries"
                    return f"Saved {user.email}: {user.role}, {countries}" + (
                        "." if user.active else ", deactivated."
                    )

                if changes.get("active") is False:
                    who = f"{chosen.name} ({chosen.email})" if chosen.name else chosen.email
                    ask_first(
                        Confirmation(
                            title=f"Deactivate {who}?",
                            consequence=f"{who} can no longer sign in or change anything, from their next "
                            "click on; what they did stays. An admin can activate them again.",
                            button=f"Deactivate {chosen.name or chosen.email}",
                            work=save,
                            message=saved,
                            opened=role_key,
                        )
                    )
                else:
                    write_then_rerun(save, saved, opened=role_key)
    confirmations()
