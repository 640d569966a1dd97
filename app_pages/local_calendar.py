"""Local calendar: holidays, working week, cultural events and campaigns, per market and across markets."""

from datetime import date, timedelta

import streamlit as st

from rollout.marketing.calendar_views import (
    AGENDA_LENGTHS,
    BLOCKED,
    SEARCH_DAYS,
    SYMBOLS,
    WEEKEND,
    DayCell,
    agenda,
    agenda_start,
    markets_week,
    matching,
    month_weeks,
    weekday_headers,
)
from rollout.marketing.campaigns import add_local_event
from rollout.marketing.ics import calendar_csv, calendar_ics
from rollout.marketing.local_calendar import (
    INCLUDES,
    calendar_entries,
    calendars,
    holiday_language,
    subdivisions,
    weekend_days,
)
from rollout.marketing.local_events import (
    EVENT_FIELDS,
    EVENT_KINDS,
    events_of,
    remove_local_event,
    update_local_event,
)
from rollout.platform.access import Action
from rollout.platform.countries import set_weekend
from rollout.platform.db import database_url, read_session
from rollout.platform.locales import country_name, region_name, weekday_name
from rollout.platform.models import Country, stored_id, utc_now
from rollout.ui import context, corrections, data, forms, tables
from rollout.ui.actions import confirmations, write_then_rerun
from rollout.ui.format import format_day, plain

engine, locale, today, actor = data.engine(), context.viewer_locale(), context.today(), context.acting_user()


def month_view(country: Country, region: str | None, month_start: date) -> None:
    month_end = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    with read_session(engine) as session:
        entries = calendar_entries(
            session, country.code, month_start, month_end, locale=locale, subdiv=region
        )
    weeks = month_weeks(
        month_start.year,
        month_start.month,
        first_week_day=country.first_week_day,
        entries=entries,
        weekend=weekend_days(country),
        locale=locale,
    )
    for column, name in zip(st.columns(7), weekday_headers(country.first_week_day, locale), strict=True):
        column.markdown(f"**{plain(name)}**")
    for week in weeks:
        for column, cell in zip(st.columns(7), week, strict=True):
            day_box(column, cell)
    st.caption(
        f"{SYMBOLS['holiday']} public holiday · {SYMBOLS['quiet']} quiet period · "
        f"{SYMBOLS['opportunity']} opportunity · {SYMBOLS['campaign']} campaign · {SYMBOLS['task']} task · "
        "· other holiday. Red: avoid. Grey: weekend."
    )
    if holiday_language(country.code, locale) is None:
        st.info("Holiday names are in English: python-holidays has no translation in your display language.")


def day_box(column, cell: DayCell) -> None:
    box = column.container(border=True)
    if not cell.in_month:
        return
    colour = {BLOCKED: "red", WEEKEND: "gray"}.get(cell.state)
    number = f"**{cell.day.day}**"
    box.markdown(f":{colour}[{number}]" if colour else number)
    for label in cell.labels:
        box.caption(plain(label))


def agenda_view(country: Country, region: str | None, month_start: date) -> None:
    left, right = st.columns(2)
    length = left.selectbox(
        "Days shown", AGENDA_LENGTHS, index=1, key="agenda_length", format_func=lambda d: f"{d} days"
    )
    text = right.text_input("Search the next two years (e.g. Diwali)", key="agenda_search")
    if text.strip():
        with read_session(engine) as session:
            entries = calendar_entries(
                session,
                country.code,
                today,
                today + timedelta(days=SEARCH_DAYS),
                locale=locale,
                subdiv=region,
            )
        found = matching(entries, text)
        st.caption(plain(f"{len(found)} found for '{text.strip()}' between today and two years ahead."))
        tables.dataframe(agenda(found, locale), hide_index=True, key=f"agenda_found_{country.code}")
        return
    start = agenda_start(month_start, today)
    with read_session(engine) as session:
        entries = calendar_entries(
            session, country.code, start, start + timedelta(days=length - 1), locale=locale, subdiv=region
        )
    st.caption(f"From {start.isoformat()}, {length} days (choose the month above to move it).")
    tables.dataframe(agenda(entries, locale), hide_index=True, key=f"agenda_{country.code}")


def across_markets(codes: list[str], month_start: date) -> None:
    picked = st.date_input("Week of", value=max(today, month_start), key="markets_week_of")
    week_start = picked - timedelta(days=picked.weekday())  # from its Monday
    six_weeks = (week_start, week_start + timedelta(days=41))
    month = data.blocked_days(database_url(), tuple(codes), *six_weeks, locale)
    # A day's state does not depend on the span asked for: the week is the first seven days of the six.
    week = month[month["day"] < week_start + timedelta(days=7)]
    st.markdown("**Who is off that week**")
    tables.dataframe(markets_week(week, locale), hide_index=True, key="markets_week")
    st.markdown("**Blocked days, six weeks from then**")
    st.plotly_chart(data.chart("blocked_days", month, locale=context.viewer_locale()), key="blocked_heatmap")


def export_section(countries: dict[str, Country], code: str, region: str | None) -> None:
    left, middle, right = st.columns(3)
    chosen = left.multiselect("Countries", list(countries), default=[code], key="export_countries")
    span = middle.date_input("From – to", value=(today, today + timedelta(days=365)), key="export_span")
    include = right.multiselect("Include", INCLUDES, default=list(INCLUDES), key="export_include")
    if not chosen or not (isinstance(span, tuple) and len(span) == 2):
        st.caption("Choose countries and a date range.")
        return
    with read_session(engine) as session:
        found = calendars(
            session,
            chosen,
            span[0],
            span[1],
            locale=locale,
            subdivs={code: region},
            include=include,
            with_cancelled=True,
        )
    entries = [e for c in chosen for e in found[c]]
    name = "-".join(chosen)
    # The files are built when clicked: writing a year of several calendars on each rerun slowed the page.
    st.download_button(
        f"Download .ics ({len(entries)} entries)",
        lambda: calendar_ics(entries, name=f"Rollout {name}", stamp=utc_now(), locale=locale),
        file_name=f"rollout-{name}.ics",
        mime="text/calendar",
        key="export_ics",
        on_click="ignore",
    )
    st.download_button(
        "Download CSV",
        lambda: calendar_csv(entries, locale),
        file_name=f"rollout-{name}.csv",
        mime="text/csv",
        key="export_csv",
        on_click="ignore",
    )


KIND_LABELS = {"opportunity": "Opportunity (a hook)", "quiet": "Quiet (avoid)"}


def local_event_form(country: Country) -> None:
    forms.clear_saved()  # after an entry was saved: an empty form for the next
    with st.form(f"local_event_form_{country.code}"):
        st.markdown(
            "**Add a local event** that no list has: a trade fair, a regional festival, a sector peak"
        )
        left, right = st.columns(2)
        name = left.text_input("Name", key=f"event_name_{country.code}")
        kind = right.radio(
            "Kind",
            ["opportunity", "quiet"],
            horizontal=True,
            key=f"event_kind_{country.code}",
            format_func=KIND_LABELS.__getitem__,
        )
        span = left.date_input("From – to", value=(today, today), key=f"event_span_{country.code}")
        note = right.text_input("Note or source", key=f"event_note_{country.code}")
        if st.form_submit_button("Add event"):
            days = span if isinstance(span, tuple) else (span,)
            start, end = (days[0], days[-1]) if days else (None, None)  # one day picked: a one-day event
            write_then_rerun(
                lambda session: add_local_event(
                    session,
                    code=country.code,
                    name=name,
                    kind=kind,
                    start=start,
                    end=end,
                    note=note,
                    by=actor,
                ),
                f"Added the local event {name}.",
                once=(f"local_event_form_{country.code}", repr((name, kind, start, end, note))),
                clear=[f"event_name_{country.code}", f"event_note_{country.code}"],
            )


def correct_events_form(country: Country) -> None:
    """Correct a local event, or remove one added by mistake (asked first)."""
    with read_session(engine) as session:
        events = events_of(session, country.code)
    if not events:
        return
    picker = f"fix_event_{country.code}"
    st.markdown("**Correct or remove a local event**")
    event_id = st.selectbox(
        "Local event to correct",
        [stored_id(e) for e in events],
        key=picker,
        format_func=lambda i: next(
            f"{e.name} · {format_day(e.start_date, locale)}" for e in events if e.id == i
        ),
    )
    event = next(e for e in events if e.id == event_id)
    fields = {name: f"fix_event_{name}_{country.code}" for name in EVENT_FIELDS}
    stored = {key: getattr(event, name) for name, key in fields.items()}
    start, version = corrections.start_editing(picker, event_id, stored, event.version)
    with st.form(f"fix_event_form_{country.code}"):
        left, right = st.columns(2)
        left.text_input("Name", key=fields["name"])
        right.radio(
            "Kind", EVENT_KINDS, horizontal=True, key=fields["kind"], format_func=KIND_LABELS.__getitem__
        )
        left.date_input("First day", key=fields["start_date"])
        right.date_input("Last day", key=fields["end_date"])
        st.text_input("Note or source", key=fields["note"])
        if st.form_submit_button("Save event"):
            corrections.save_changes(
                start,
                fields,
                lambda session, changes: update_local_event(
                    session, event_id=event_id, by=actor, expected_version=version, **changes
                ),
                lambda saved: f"Saved the local event {saved.name}.",
            )
    corrections.remove_button(
        label=f"Remove {event.name}…",
        title=f"Remove the local event {event.name} ({format_day(event.start_date, locale)})?",
        consequence=f"{event.name} leaves {country_name(country.code, locale)}'s calendar, its exports and "
        "the campaign warnings. What it was stays in the History page.",
        work=lambda session: remove_local_event(
            session, event_id=event_id, by=actor, expected_version=version
        ),
        message=f"Removed the local event {event.name}.",
        key=f"remove_event_{country.code}",
    )


def working_week_form(country: Country) -> None:
    opened = context.opened_version(f"weekend_{country.code}", country.version)
    with st.form(f"weekend_form_{country.code}"):
        st.markdown(
            "**Working week**: the weekend comes from python-holidays; override it where the market "
            "works differently."
        )
        days = st.multiselect(
            "Weekend days",
            range(7),
            default=sorted(weekend_days(country)),
            format_func=lambda d: weekday_name(d, locale),
            key=f"weekend_{country.code}",
        )
        if st.form_submit_button("Save working week"):
            write_then_rerun(
                lambda session: set_weekend(
                    session, code=country.code, days=days, by=actor, expected_version=opened
                ),
                "Working week saved.",
                opened=f"weekend_{country.code}",
            )


st.title("Local calendar")
context.show_flash()
countries = context.countries_or_stop()
code = context.choose_country(countries, key="calendar_country")
country = countries[code]
left, right = st.columns(2)
region = (
    left.selectbox(
        "Region",
        ["", *subdivisions(code)],
        key=f"calendar_region_{code}",
        format_func=lambda r: (
            f"{region_name(code, r, locale)} (region)" if r else "Whole country (national holidays)"
        ),
    )
    or None
)
month_start = right.date_input("Month", value=today.replace(day=1), key="calendar_month").replace(day=1)
month_tab, agenda_tab, markets_tab, export_tab, edit_tab = st.tabs(
    ["Month", "Agenda", "Across markets", "Export", "Local events and working week"]
)
with month_tab:
    month_view(country, region, month_start)
with agenda_tab:
    agenda_view(country, region, month_start)
with markets_tab:
    across_markets(context.country_filter() or list(countries), month_start)
with export_tab:
    export_section(countries, code, region)
with edit_tab:
    if context.can(Action.MANAGE_MARKETING) and context.user().covers(country.code):
        local_event_form(country)
        correct_events_form(country)
    if context.can(Action.MANAGE_COUNTRIES):
        working_week_form(country)
    if not (context.can(Action.MANAGE_MARKETING) or context.can(Action.MANAGE_COUNTRIES)):
        st.caption("Local events are added by the market's marketers; the working week by leadership.")
confirmations()
