"""This week: what needs the user now, in their own countries; every line opens the page that acts on it."""

import streamlit as st

from rollout.digest import set_digest_preference
from rollout.platform.access import Principal, find_user
from rollout.platform.countries import list_countries
from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.locales import VIEWER_LOCALES, language_name
from rollout.platform.models import Role
from rollout.ui import context, data
from rollout.ui.format import format_day, plain
from rollout.weekly import this_week

ROLE_HEADERS = {Role.LEADERSHIP: "Leadership", Role.MARKETER: "Marketing", Role.SALES: "Sales"}

with read_session(data.engine()) as session:
    empty = not list_countries(session)
if empty:
    st.switch_page("app_pages/portfolio.py")  # a new database starts where the demo is offered

st.title("This week")
context.show_flash()
context.countries_or_stop()
user, locale = context.user(), context.viewer_locale()
# The sidebar's countries narrow the user's own (none chosen: all of theirs).
scoped = Principal(user.email, user.role, tuple(context.country_filter()))
with read_session(data.engine()) as session:
    sections = this_week(session, scoped, context.today(), data.playbook(), locale=locale)

shown_role = None
for section in sections:
    if user.role == Role.ADMIN and section.role != shown_role:
        st.header(ROLE_HEADERS[Role(section.role)])
        shown_role = section.role
    st.subheader(section.title)
    if not section.lines:
        st.caption(section.empty)
    for line in section.lines:
        text = plain(line.text)  # names people typed stay text, never Markdown
        label = f"{format_day(line.day, locale)} · {text}" if line.day else text
        st.page_link(line.page, label=label, query_params={"country": line.country} if line.country else None)

st.divider()
with read_session(data.engine()) as session:
    me = find_user(session, user.email)
if me is not None:
    with st.form("digest_form"):
        st.markdown("**Weekly digest**: this page by email, once a week.")
        wanted = st.toggle("Email me this page every week", value=me.weekly_digest, key="digest_on")
        language = st.selectbox(
            "In",
            VIEWER_LOCALES,
            index=VIEWER_LOCALES.index(me.digest_locale) if me.digest_locale in VIEWER_LOCALES else 0,
            format_func=lambda tag: language_name(tag, tag).capitalize(),
            key="digest_locale",
        )
        if st.form_submit_button("Save"):
            try:
                with write_session(data.engine()) as session:
                    set_digest_preference(
                        session, email=me.email, by=context.acting_user(), enabled=wanted, locale=language
                    )
            except RolloutError as error:
                st.error(plain(str(error)))
            else:
                context.flash("Weekly digest on." if wanted else "Weekly digest off: no more emails.")
                st.rerun()
