"""This week: what needs the user now, in their own countries; every line opens the page that acts on it."""

import streamlit as st

from rollout.platform.access import Principal
from rollout.platform.countries import list_countries
from rollout.platform.db import read_session
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
