"""Rollout: the entry point only signs the user in and routes. Pages live in app_pages/, logic in rollout/.

The folder is not called pages/: Streamlit would then also serve each file there as a page of its own
(its older multipage mode), and a bookmarked link opened on a fresh server would skip this router.
Each user is offered only their role's pages; another role's page opened by its URL is not served.
"""

import streamlit as st

import rollout.metric_providers  # noqa: F401  (registers the gate metrics)
from rollout.gates.status import PlaybookOrphansHistory
from rollout.platform import settings
from rollout.platform.config_files import ConfigFileError
from rollout.platform.schema import DatabaseTooNew
from rollout.platform.settings import SettingsError
from rollout.sales.pipeline import load_pipeline_config
from rollout.ui import auth, context, data
from rollout.ui.failures import explained_failures
from rollout.ui.navigation import pages_for

st.set_page_config(page_title="Rollout", page_icon="🌍", layout="wide")

try:
    settings.current()
    engine = data.engine()
    data.refresh()  # before any data is read: every server sees every write on its next rerun
    data.playbook()
    load_pipeline_config()
except (SettingsError, DatabaseTooNew, ConfigFileError, PlaybookOrphansHistory) as error:
    st.error(str(error))
    st.stop()

user = auth.require_user()
context.sidebar(engine, user)
with explained_failures():
    st.navigation(pages_for(user)).run()
