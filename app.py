"""Rollout: the entry point only routes. Pages live in app_pages/, logic in rollout/.

The folder is not called pages/: Streamlit would then also serve each file there as a page of its own
(its older multipage mode), and a bookmarked link opened on a fresh server would skip this router.
"""

import streamlit as st

from rollout.pipeline import load_pipeline_config
from rollout.playbook import ConfigFileError
from rollout.schema import DatabaseTooNew
from rollout.ui import context, data

st.set_page_config(page_title="Rollout", page_icon="🌍", layout="wide")

try:
    engine = data.engine()
    data.playbook()
    load_pipeline_config()
except (DatabaseTooNew, ConfigFileError) as error:
    st.error(str(error))
    st.stop()

context.sidebar(engine)
navigation = st.navigation(
    {
        "Leadership": [
            st.Page("app_pages/portfolio.py", title="Portfolio", icon=":material/public:", default=True),
            st.Page("app_pages/country.py", title="Country", icon=":material/flag:"),
            st.Page("app_pages/decisions.py", title="Decisions", icon=":material/gavel:"),
        ],
        "Sales": [
            st.Page("app_pages/sales_log.py", title="Sales log", icon=":material/edit_note:"),
            st.Page("app_pages/deals_import.py", title="Import deals", icon=":material/upload_file:"),
            st.Page("app_pages/sales_analytics.py", title="Sales analytics", icon=":material/insights:"),
        ],
        "Marketing": [
            st.Page("app_pages/calendar.py", title="Local calendar", icon=":material/calendar_month:"),
            st.Page("app_pages/campaigns.py", title="Campaigns", icon=":material/campaign:"),
            st.Page("app_pages/content.py", title="Content", icon=":material/translate:"),
            st.Page("app_pages/talent.py", title="Local talent", icon=":material/group_add:"),
        ],
        "Setup": [
            st.Page("app_pages/playbook.py", title="Playbook", icon=":material/menu_book:"),
            st.Page("app_pages/rates.py", title="Exchange rates", icon=":material/currency_exchange:"),
        ],
    }
)
navigation.run()
