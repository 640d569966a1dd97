"""Rollout: the entry point only signs the user in and routes. Pages live in app_pages/, logic in rollout/.

The folder is not called pages/: Streamlit would then also serve each file there as a page of its own
(its older multipage mode), and a bookmarked link opened on a fresh server would skip this router.
Each user is offered only their role's pages; another role's page opened by its URL is not served.
"""

import streamlit as st

from rollout.pipeline import load_pipeline_config
from rollout.playbook import ConfigFileError
from rollout.schema import DatabaseTooNew
from rollout.ui import auth, context, data
from rollout.ui.navigation import pages_for

st.set_page_config(page_title="Rollout", page_icon="🌍", layout="wide")

try:
    engine = data.engine()
    data.playbook()
    load_pipeline_config()
except (DatabaseTooNew, ConfigFileError) as error:
    st.error(str(error))
    st.stop()

user = auth.require_user()
context.sidebar(engine, user)
st.navigation(pages_for(user)).run()
