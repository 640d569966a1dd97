"""Campaigns: plan culturally timed campaigns in local time, with warnings and suggested dates."""

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from rollout.marketing.campaigns import (
    BUSINESS_HOURS,
    campaign_warnings,
    cancel_campaign,
    default_time_zone,
    hq_time_zone,
    in_hq_time,
    plan_campaign,
    suggest_slots,
    to_utc,
)
from rollout.marketing.local_calendar import calendar_entries, subdivisions
from rollout.platform.countries import display_name
from rollout.platform.db import database_url, read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.locales import country_locale, zone_label
from rollout.platform.models import CHANNELS, Country
from rollout.ui import context, data, forms, tables
from rollout.ui.actions import Confirmation, ask_first, confirmations
from rollout.ui.format import format_day, plain

engine, locale, today, actor = data.engine(), context.viewer_locale(), context.today(), context.acting_user()


def show_warnings(warnings) -> None:
    problems = [w for w in warnings if w.is_problem]
    if not problems:
        st.success(
            "No conflict: a working day, in business hours, clear of holidays, quiet periods and other "
            "campaigns."
        )
    # Warnings quote event and campaign names people typed: shown as text, never read as Markdown.
    for warning in problems:
        st.warning(plain(warning.message))
    for warning in warnings:
        if not warning.is_problem:
            st.info(plain(warning.message))


def occasions(code: str, subdivision: str | None) -> list[str]:
    """Upcoming holidays and events a campaign can be timed to (the next six months)."""
    with read_session(engine) as session:
        entries = calendar_entries(
            session,
            code,
            today,
            today + timedelta(days=183),
            locale=locale,
            subdiv=subdivision,
            include=("holidays", "events"),
        )
    return sorted({e.name for e in entries if e.category != "quiet"})


def plan_form(country: Country) -> None:
    code = country.code
    zones = country.time_zones or ["UTC"]
    main_zone = default_time_zone(country)
    regions = subdivisions(code)
    with st.form(f"campaign_form_{code}"):
        st.markdown("**Plan a campaign** (date and time are local to the market)")
        left, right = st.columns(2)
        name = left.text_input("Name", key=f"campaign_name_{code}")
        channel = right.selectbox(
            "Channel", CHANNELS, key=f"campaign_channel_{code}", format_func=str.capitalize
        )
        day = left.date_input(
            "Local date", value=today + timedelta(days=14), min_value=today, key=f"campaign_day_{code}"
        )
        at = right.time_input(
            "Local time", value=time(10), step=timedelta(minutes=15), key=f"campaign_time_{code}"
        )
        zone = left.selectbox(
            "Time zone",
            zones,
            index=zones.index(main_zone) if main_zone in zones else 0,
            format_func=lambda z: zone_label(z, locale),
            key=f"campaign_zone_{code}",
        )
        duration = right.number_input(
            "Duration (minutes)",
            min_value=15,
            max_value=1440,
            value=60,
            step=15,
            key=f"campaign_duration_{code}",
        )
        region = left.selectbox(
            "Region (its regional holidays count too)",
            ["", *regions],
            key=f"campaign_region_{code}",
            format_func=lambda r: r or "Whole country",
        )
        occasion = right.selectbox(
            "Timed to (a local holiday or event)",
            ["", *occasions(code, None)],
            key=f"campaign_occasion_{code}",
            accept_new_options=True,
            format_func=lambda o: o or "— not tied to an occasion —",
        )
        owner = left.text_input("Owner (often the local hire)", value=actor, key=f"campaign_owner_{code}")
        content = right.text_input("Linked content", key=f"campaign_content_{code}")
        check = st.form_submit_button("Check date")
        plan = st.form_submit_button("Plan campaign", type="primary")
    local_start = datetime.combine(day, at)
    if check:
        try:
            instant = to_utc(local_start, zone)
            with read_session(engine) as session:
                warnings = campaign_warnings(
                    session,
                    code=code,
                    local_start=local_start,
                    time_zone=zone,
                    duration_minutes=duration,
                    subdivision=region or None,
                )
        except RolloutError as error:
            st.error(plain(str(error)))
        else:
            show_warnings(warnings)
            hq = in_hq_time(instant)
            st.caption(
                f"That is {hq:%H:%M} on {format_day(hq.date(), locale)} at headquarters ({hq_time_zone()})."
            )
    if plan:
        entry = repr((code, name, channel, local_start, zone, duration, region, occasion, owner, content))
        if forms.repeated(f"campaign_form_{code}", entry):
            st.info(
                "Already planned: that was the same campaign sent twice. Change something to plan another."
            )
            return
        try:
            with write_session(engine) as session:
                campaign, warnings = plan_campaign(
                    session,
                    code=code,
                    name=name,
                    channel=channel,
                    local_start=local_start,
                    time_zone=zone,
                    duration_minutes=duration,
                    subdivision=region or None,
                    owner=owner,
                    occasion=occasion or "",
                    linked_content=content,
                    locale=country_locale(code),
                    by=actor,
                )
        except RolloutError as error:
            forms.forget_submission((f"campaign_form_{code}", entry))
            st.error(plain(str(error)))
            return
        data.after_write()
        st.success(
            plain(f"Planned '{campaign.name}' for {local_start:%Y-%m-%d %H:%M} ({zone_label(zone, locale)}).")
        )
        show_warnings(warnings)


def suggestions(country: Country) -> None:
    code = country.code
    zone = zone_label(default_time_zone(country), locale)
    left, middle, right = st.columns(3)
    window = left.date_input(
        "Between", value=(today, today + timedelta(days=30)), key=f"suggest_window_{code}"
    )
    at = middle.time_input(f"Local time ({zone})", value=time(10), key=f"suggest_time_{code}")
    count = right.number_input("How many", min_value=1, max_value=20, value=5, key=f"suggest_count_{code}")
    if not (isinstance(window, tuple) and len(window) == 2):
        st.caption("Choose the first and last day of the window.")
        return
    with read_session(engine) as session:
        slots = suggest_slots(
            session, code=code, start=window[0], end=window[1], local_time=at, count=count, today=today
        )
    if not BUSINESS_HOURS[0] <= at < BUSINESS_HOURS[1]:
        st.warning(
            f"{at:%H:%M} is outside local business hours ({BUSINESS_HOURS[0]:%H:%M}–"
            f"{BUSINESS_HOURS[1]:%H:%M}): people will not be there to read or attend."
        )
    if not slots:
        st.info("No free working day in that window.")
        return
    rows = [
        {
            f"local ({zone})": f"{s.starts_at:%a %Y-%m-%d %H:%M}",
            f"HQ ({hq_time_zone()})": f"{in_hq_time(s.starts_at):%H:%M}",
            "fit": s.score,
            "why": " · ".join(s.reasons),
        }
        for s in slots
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"suggestions_{code}")


def campaign_list(country: Country) -> None:
    planned = data.campaign_plan(
        database_url(), country.code, today - timedelta(days=30), today + timedelta(days=365)
    )
    if planned.empty:
        st.write("No campaign planned yet.")
        return
    tables.dataframe(planned.drop(columns=["version"]), hide_index=True, key=f"campaigns_{country.code}")
    ids = planned["#"].tolist()
    names = dict(zip(ids, planned["name"], strict=True))
    opened = context.opened_version(
        f"cancel_choice_{country.code}", dict(zip(ids, planned["version"].tolist(), strict=True))
    )
    with st.form(f"cancel_form_{country.code}"):
        chosen = st.selectbox(
            "Cancel a campaign",
            ids,
            index=None,
            format_func=lambda i: f"#{i} {names[i]}",
            key=f"cancel_choice_{country.code}",
        )
        if st.form_submit_button("Cancel campaign") and chosen is not None:
            market = display_name(country, locale)
            ask_first(
                Confirmation(
                    title=f"Cancel '{names[chosen]}' in {market}?",
                    consequence=f"'{names[chosen]}' is taken off {market}'s plan and calendars for good: a "
                    "cancelled campaign cannot be planned again (plan a new one instead).",
                    button="Cancel the campaign",
                    work=lambda session: cancel_campaign(
                        session, campaign_id=chosen, by=actor, expected_version=opened.get(chosen)
                    ),
                    message=f"Cancelled campaign #{chosen} '{names[chosen]}'.",
                    opened=f"cancel_choice_{country.code}",
                )
            )
    confirmations()


st.title("Campaigns")
context.show_flash()
countries = context.countries_or_stop()
code = context.choose_country(countries, key="campaigns_country")
plan_form(countries[code])
# Only the chosen tab runs: checking every planned campaign against the calendar, or ranking a month of days,
# is work a look at the other tab should not wait for.
planned_tab, suggest_tab = st.tabs(["Planned", "Suggest dates"], key="campaigns_view", on_change="rerun")
with planned_tab:
    if planned_tab.open:
        campaign_list(countries[code])
with suggest_tab:
    if suggest_tab.open:
        suggestions(countries[code])
