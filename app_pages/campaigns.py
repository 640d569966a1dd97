"""Campaigns: plan culturally timed campaigns in local time, with warnings and suggested dates."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from rollout.marketing.campaign_playbooks import CampaignPlaybook, load_campaign_playbooks
from rollout.marketing.campaign_tasks import STATUS_LABELS, PlannedStep, preview_plan, update_task
from rollout.marketing.campaigns import (
    KEEP,
    campaign_warnings,
    cancel_campaign,
    default_time_zone,
    edit_campaign,
    get_campaign,
    hq_time_zone,
    in_hq_time,
    plan_campaign,
    plan_from_playbook,
    suggest_slots,
    to_utc,
)
from rollout.marketing.local_calendar import calendar_entries, subdivisions
from rollout.marketing.local_habits import local_habits
from rollout.platform.config_files import ConfigFileError
from rollout.platform.countries import display_name
from rollout.platform.db import database_url, read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.locales import country_locale, zone_label
from rollout.platform.models import CHANNELS, TASK_STATUSES, Country
from rollout.ui import context, data, forms, people, tables
from rollout.ui.actions import Confirmation, ask_first, confirmations, write_then_rerun
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
            "Local time",
            value=local_habits(code).webinar,
            step=timedelta(minutes=15),
            key=f"campaign_time_{code}",
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
    habits = local_habits(code)
    at = middle.time_input(f"Local time ({zone})", value=habits.webinar, key=f"suggest_time_{code}")
    count = right.number_input("How many", min_value=1, max_value=20, value=5, key=f"suggest_count_{code}")
    if not (isinstance(window, tuple) and len(window) == 2):
        st.caption("Choose the first and last day of the window.")
        return
    with read_session(engine) as session:
        slots = suggest_slots(
            session, code=code, start=window[0], end=window[1], local_time=at, count=count, today=today
        )
    if not habits.within_hours(at, at):
        st.warning(
            f"{at:%H:%M} is outside local business hours ({habits.hours_text()}): people will not be "
            "there to read or attend."
        )
    st.caption(
        plain(
            f"Usual local hours: webinars {habits.webinar:%H:%M}, emails {habits.email:%H:%M}; "
            f"business hours {habits.hours_text()}. Source: {habits.source}"
        )
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
    edit_form(country, planned)
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


def steps_frame(planned: list[PlannedStep]) -> pd.DataFrame:
    rows = [
        {
            "due": p.due.day,
            "working days": f"{p.step.offset:+d}",
            "step": p.step.name,
            "role": p.step.role,
            "why moved": p.due.why,
        }
        for p in planned
    ]
    return pd.DataFrame(rows, columns=["due", "working days", "step", "role", "why moved"])


def playbook_guide(playbook: CampaignPlaybook) -> None:
    """The playbook's tutorial and templates (our own data file's Markdown) and its typical backward plan."""
    with st.expander(f"How to run it: {playbook.name} — tutorial, best practices, templates"):
        st.markdown(playbook.description)
        if playbook.templates:
            st.markdown("**Templates**\n" + "\n".join(f"- [{t.name}]({t.url})" for t in playbook.templates))
        steps = [
            {
                "working days": f"{s.offset:+d}",
                "step": s.name,
                "role": s.role,
                "checklist": " · ".join(s.checklist),
            }
            for s in playbook.steps
        ]
        tables.dataframe(pd.DataFrame(steps), hide_index=True, key=f"playbook_steps_{playbook.key}")


def playbook_planner(country: Country) -> None:
    code = country.code
    try:
        book = load_campaign_playbooks()
    except ConfigFileError as error:
        st.error(plain(str(error)))
        return
    st.markdown(
        "**Plan from a playbook**: the campaign and its tasks, due dates counted back in this market's "
        "working days (its weekend, public holidays and quiet periods are skipped)."
    )
    names = {p.key: p.name for p in book.playbooks}
    key = st.selectbox("Playbook", list(names), format_func=names.__getitem__, key=f"playbook_choice_{code}")
    playbook = book.get(key)
    playbook_guide(playbook)
    with st.form(f"playbook_form_{code}"):
        left, right = st.columns(2)
        name = left.text_input("Name", placeholder=playbook.name, key=f"playbook_name_{code}")
        owner = right.text_input("Owner (gets every task)", value=actor, key=f"playbook_owner_{code}")
        day = left.date_input(
            "Campaign date (local)",
            value=today + timedelta(days=35),
            min_value=today,
            key=f"playbook_day_{code}",
        )
        at = right.time_input(
            f"Local time ({zone_label(default_time_zone(country), locale)})",
            value=local_habits(code).usual_time(playbook.channel),
            step=timedelta(minutes=15),
            key=f"playbook_time_{code}",
        )
        region = left.selectbox(
            "Region (its holidays count too)",
            ["", *subdivisions(code)],
            key=f"playbook_region_{code}",
            format_func=lambda r: r or "Whole country",
        )
        preview = st.form_submit_button("Preview tasks")
        plan = st.form_submit_button("Plan from playbook", type="primary")
    if preview:
        try:
            with read_session(engine) as session:
                planned = preview_plan(
                    session, code=code, playbook=playbook, day=day, subdivision=region or None
                )
        except RolloutError as error:
            st.error(plain(str(error)))
        else:
            tables.dataframe(steps_frame(planned), hide_index=True, key=f"playbook_preview_{code}")
    if plan:
        save_from_playbook(code, playbook, name, datetime.combine(day, at), region, owner)


def save_from_playbook(
    code: str, playbook: CampaignPlaybook, name: str, local_start: datetime, region: str, owner: str
) -> None:
    entry = repr((code, playbook.key, name, local_start, region, owner))
    if forms.repeated(f"playbook_form_{code}", entry):
        st.info("Already planned: that was the same campaign sent twice. Change something to plan another.")
        return
    try:
        with write_session(engine) as session:
            planned = plan_from_playbook(
                session,
                code=code,
                playbook=playbook.key,
                local_start=local_start,
                name=name,
                subdivision=region or None,
                owner=owner,
                by=actor,
            )
            campaign, tasks = planned.campaign, planned.tasks
    except RolloutError as error:
        forms.forget_submission((f"playbook_form_{code}", entry))
        st.error(plain(str(error)))
        return
    data.after_write()
    st.success(
        plain(
            f"Planned '{campaign.name}' for {local_start:%Y-%m-%d %H:%M} with {len(tasks)} tasks "
            "(see the Tasks tab)."
        )
    )
    show_warnings(planned.warnings)
    known = people.names()
    rows = [
        {
            "due": t.due_on,
            "task": t.name,
            "role": t.role,
            "assignee": people.person(t.assignee, known),
            "why moved": t.moved_because,
        }
        for t in tasks
    ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key=f"playbook_planned_{code}")


def task_list(country: Country) -> None:
    code = country.code
    left, right = st.columns(2)
    whose = left.radio("Whose", ["everyone", "mine"], horizontal=True, key=f"tasks_whose_{code}")
    open_only = right.toggle("Open tasks only", value=True, key=f"tasks_open_{code}")
    listed = data.market_tasks(database_url(), code, today, actor if whose == "mine" else None)
    if open_only:
        listed = listed[listed["when"] != ""]
    if listed.empty:
        st.write("No task: plan a campaign from a playbook to get its tasks.")
        return
    overdue, this_week = (listed["when"] == "overdue").sum(), (listed["when"] == "this week").sum()
    st.markdown(f"**{overdue}** overdue · **{this_week}** due this week · {len(listed)} listed")
    shown = people.named(listed.assign(status=listed["status"].map(STATUS_LABELS)), "assignee")
    tables.dataframe(shown.drop(columns=["version"]), hide_index=True, key=f"tasks_{code}")
    task_form(code, listed)


def task_form(code: str, listed: pd.DataFrame) -> None:
    """Change a task's status or assignee; the form starts from what is stored for the chosen task."""
    ids = listed["#"].tolist()
    rows = {row["#"]: row for row in listed.to_dict("records")}
    opened = context.opened_version(f"task_choice_{code}", {i: rows[i]["version"] for i in ids})
    # Picked outside the form, so the form shows that task's stored status and assignee.
    task_id = st.selectbox(
        "Task",
        ids,
        key=f"task_choice_{code}",
        format_func=lambda i: f"{rows[i]['due']:%Y-%m-%d} {rows[i]['task']} ({rows[i]['campaign']})",
    )
    if task_id is None:
        return
    task = rows[task_id]
    status_key, assignee_key = f"task_status_{code}", f"task_assignee_{code}"
    start = forms.start_from(
        f"task_{code}", task_id, {status_key: task["status"], assignee_key: task["assignee"]}
    )
    with st.form(f"task_form_{code}"):
        left, right = st.columns(2)
        left.selectbox("Status", TASK_STATUSES, format_func=STATUS_LABELS.__getitem__, key=status_key)
        right.text_input("Assignee (email)", key=assignee_key)
        if task["checklist"]:
            st.caption(plain(f"Checklist: {task['checklist']}"))
        if st.form_submit_button("Save task"):
            changes = forms.edited(start)
            write_then_rerun(
                lambda session: update_task(
                    session,
                    task_id=task_id,
                    by=actor,
                    status=changes.get(status_key),
                    assignee=changes.get(assignee_key),
                    expected_version=opened.get(task_id),
                ),
                lambda saved: f"Saved: {saved.name} is {STATUS_LABELS[saved.status].lower()}.",
                opened=f"task_choice_{code}",
            )


def edit_form(country: Country, planned: pd.DataFrame) -> None:
    """Edit or move a planned campaign; its open tasks move with it."""
    code = country.code
    ids = planned["#"].tolist()
    names = dict(zip(ids, planned["name"], strict=True))
    opened = context.opened_version(
        f"edit_choice_{code}", dict(zip(ids, planned["version"].tolist(), strict=True))
    )
    st.markdown("**Edit or move a campaign** (its open tasks move with it)")
    campaign_id = st.selectbox(
        "Campaign", ids, key=f"edit_choice_{code}", format_func=lambda i: f"#{i} {names[i]}"
    )
    if campaign_id is None:
        return
    with read_session(engine) as session:
        campaign = get_campaign(session, campaign_id)
    local = campaign.starts_at.astimezone(ZoneInfo(campaign.time_zone))
    keys = {f: f"edit_{f}_{code}" for f in ("name", "day", "time", "region", "owner")}
    start = forms.start_from(
        f"edit_{code}",
        campaign_id,
        {
            keys["name"]: campaign.name,
            keys["day"]: local.date(),
            keys["time"]: local.time().replace(tzinfo=None),
            keys["region"]: campaign.subdivision or "",
            keys["owner"]: campaign.owner,
        },
    )
    with st.form(f"edit_form_{code}"):
        left, right = st.columns(2)
        left.text_input("Name", key=keys["name"])
        right.text_input("Owner", key=keys["owner"])
        day = left.date_input(f"Local date ({campaign.time_zone})", key=keys["day"])
        at = right.time_input("Local time", step=timedelta(minutes=15), key=keys["time"])
        left.selectbox(
            "Region",
            ["", *subdivisions(code)],
            key=keys["region"],
            format_func=lambda r: r or "Whole country",
        )
        if st.form_submit_button("Save campaign"):
            changes = forms.named(forms.edited(start), keys)
            moved = "day" in changes or "time" in changes
            write_then_rerun(
                lambda session: edit_campaign(
                    session,
                    campaign_id=campaign_id,
                    by=actor,
                    expected_version=opened.get(campaign_id),
                    name=changes.get("name"),
                    owner=changes.get("owner"),
                    subdivision=changes.get("region", KEEP),
                    local_start=datetime.combine(day, at) if moved else None,
                )[0],
                lambda saved: f"Saved '{saved.name}'" + (" and moved its open tasks." if moved else "."),
                opened=f"edit_choice_{code}",
            )


st.title("Campaigns")
context.show_flash()
countries = context.countries_or_stop()
code = context.choose_country(countries, key="campaigns_country")
plan_form(countries[code])
# Only the chosen tab runs: checking every planned campaign against the calendar, or ranking a month of days,
# is work a look at the other tab should not wait for.
planned_tab, tasks_tab, playbook_tab, suggest_tab = st.tabs(
    ["Planned", "Tasks", "Plan from a playbook", "Suggest dates"], key="campaigns_view", on_change="rerun"
)
with planned_tab:
    if planned_tab.open:
        campaign_list(countries[code])
with tasks_tab:
    if tasks_tab.open:
        task_list(countries[code])
with playbook_tab:
    if playbook_tab.open:
        playbook_planner(countries[code])
with suggest_tab:
    if suggest_tab.open:
        suggestions(countries[code])
