"""The local team of a country, shown on the Country and Local talent pages."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from rollout.marketing.talent import ownership
from rollout.platform.db import read_session
from rollout.ui.format import plain


def local_team(engine: Engine, code: str) -> None:
    """What each local hire owns: translations, campaigns and events."""
    with read_session(engine) as session:
        owned = ownership(session, code)
    if not owned:
        st.write("No local hire with a work email yet.")
        return
    for entry in owned:
        hire = entry.hire
        # An expander's label is Markdown: names and roles are typed by people, so escape them.
        with st.expander(plain(f"{hire.candidate} · {hire.role} · {hire.stage.replace('_', ' ')}")):
            st.text(
                f"{len(entry.translations)} translation(s), {len(entry.campaigns)} campaign(s), "
                f"{len(entry.events)} local event(s) — {hire.email}"
            )
            for campaign in entry.campaigns:
                st.text(f"Campaign: {campaign.name} ({campaign.channel}, {campaign.starts_at:%Y-%m-%d})")
            for event in entry.events:
                st.text(f"Event: {event.name} ({event.start_date.isoformat()})")
            if entry.translations:
                st.text(f"Translations: {', '.join(sorted({t.locale for t in entry.translations}))}")
