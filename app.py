"""Rollout: the entry point only routes. Pages live in pages/, logic in rollout/."""

import streamlit as st

from rollout.playbook import PlaybookError
from rollout.schema import DatabaseTooNew
from rollout.ui import context, data

st.set_page_config(page_title="Rollout", page_icon="🌍", layout="wide")

try:
    engine = data.engine()
    data.playbook()
except (DatabaseTooNew, PlaybookError) as error:
    st.error(str(error))
    st.stop()

context.sidebar(engine)
navigation = st.navigation(
    {
        "Leadership": [
            st.Page("pages/portfolio.py", title="Portfolio", icon=":material/public:", default=True),
            st.Page("pages/country.py", title="Country", icon=":material/flag:"),
            st.Page("pages/decisions.py", title="Decisions", icon=":material/gavel:"),
        ],
        "Setup": [st.Page("pages/playbook.py", title="Playbook", icon=":material/menu_book:")],
    }
)
navigation.run()
