"""Sales log: log market signals in seconds, keep the country's opportunities up to date."""

from dataclasses import asdict
from decimal import Decimal

import pandas as pd
import streamlit as st
from babel.numbers import list_currencies

from rollout.gates.portfolio import FORECAST_LABELS
from rollout.gates.status import GateStatus
from rollout.platform.db import database_url, read_session, write_session
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.locales import country_locale
from rollout.platform.models import Country, stored_id
from rollout.platform.paging import PAGE_SIZE
from rollout.sales.board import open_deal_board
from rollout.sales.crm_files import FIELDS
from rollout.sales.metrics import is_sales_metric
from rollout.sales.money import MissingRate
from rollout.sales.pipeline import (
    REQUESTERS,
    SEGMENTS,
    SIGNAL_FIELDS,
    TableEditError,
    apply_table_edits,
    count_opportunities,
    load_pipeline_config,
    log_signal,
    opportunities,
    recent_signals,
    remove_signal,
    update_signal,
)
from rollout.ui import context, corrections, data, forms, pager, people, tables
from rollout.ui.actions import confirmations
from rollout.ui.format import format_amount, format_day, format_money, plain

engine, book, config = data.engine(), data.playbook(), load_pipeline_config()
locale, today, actor = context.viewer_locale(), context.today(), context.acting_user()
EDITOR_VERSION = "opportunities_editor_version"
EDITOR_VIEW = "opportunities_editor_view"  # (market, search, page) the editor shows


def gate_numbers(status: GateStatus, country: Country) -> None:
    """The current gate's sales metrics, so the salesperson sees what their work moves. Money is shown
    in the reporting currency for the viewer, and in the country's currency the way locals write it."""
    selling = {c.key for c in book.phase(status.phase).criteria if is_sales_metric(c.metric)}
    measured = [c for c in status.criteria if c.key in selling and c.measured]
    if not measured:
        return
    reporting = book.reporting_currency
    st.caption(f"{book.phase(status.phase).gate_name} gate, due {format_day(status.gate_due, locale)}")
    rates = data.rate_book(database_url())
    for column, criterion in zip(st.columns(len(measured)), measured, strict=True):
        column.metric(
            criterion.name,
            format_amount(criterion.value, criterion.unit, reporting, locale),
            help=f"Gate threshold: {format_amount(criterion.threshold, criterion.unit, reporting, locale)}",
            delta="met" if criterion.met else FORECAST_LABELS[criterion.forecast],
            delta_color="normal" if criterion.met else "off",
            delta_arrow="off",
        )
        if criterion.unit == "currency" and country.currency != reporting:
            try:
                local = rates.convert(Decimal(str(criterion.value)), reporting, country.currency, today)
            except MissingRate:
                continue
            column.caption(format_amount(local, "currency", country.currency, country_locale(country.code)))


@context.fragment
def signal_form(code: str) -> None:
    """A fragment: a refused entry reruns only the form; a logged one reruns the page (its gate numbers)."""
    if st.session_state.pop("signal_logged", False):
        for key in ("signal_account", "signal_note"):
            st.session_state[key] = ""
        st.session_state["signal_content"] = None
        st.session_state["signal_qualified"] = False
    titles = data.catalogue_titles(database_url())
    with st.form("signal_form"):
        st.markdown("**Log a signal**")
        left, right = st.columns(2)
        kind = left.radio(
            "What happened",
            list(config.signal_kinds),
            format_func=config.signal_kinds.get,
            key="signal_kind",
            horizontal=True,
        )
        occurred_on = right.date_input("When", value=today, max_value=today, key="signal_date")
        qualified = right.checkbox("Qualified meeting (a real buying need)", key="signal_qualified")
        account = left.text_input("Account or contact", key="signal_account")
        # Picking the catalogue's own title is what lets the request rank the translation backlog.
        content = (
            left.selectbox(
                "Requested content (for a content request)",
                titles,
                index=None,
                key="signal_content",
                accept_new_options=True,
                placeholder="Pick from the catalogue, or type a new title",
            )
            or ""
        )
        requested_by = right.radio(
            "Requested by", REQUESTERS, key="signal_requester", horizontal=True, format_func=str.capitalize
        )
        note = st.text_area("Note", key="signal_note", height=68)
        if not st.form_submit_button("Log signal", type="primary"):
            return
    entry = repr((code, kind, occurred_on, qualified, account, content, requested_by, note))
    if forms.repeated("signal_form", entry):
        st.info("Already logged: that was the same signal sent twice. Change something to log another.")
        return
    try:
        with write_session(engine) as session:
            log_signal(
                session,
                code=code,
                kind=kind,
                occurred_on=occurred_on,
                by=actor,
                qualified=qualified,
                account=account,
                content_title=content,
                requested_by=requested_by,
                note=note,
                config=config,
            )
    except RolloutError as error:
        forms.forget_submission(("signal_form", entry))
        st.error(plain(str(error)))
        return
    data.after_write()
    st.session_state["signal_logged"] = True
    context.flash(f"Logged: {config.signal_kinds[kind]}.")
    st.rerun()


def signals_table(code: str) -> None:
    known = people.names()
    with read_session(engine) as session:
        rows = [
            {
                "Date": s.occurred_on,
                "Kind": config.signal_kinds.get(s.kind, s.kind),
                "Qualified": s.qualified,
                "Account": s.account,
                "Content": s.content_title,
                "Note": s.note,
                "Logged by": people.person(s.logged_by, known),
                "Email": s.logged_by,
            }
            for s in recent_signals(session, code)
        ]
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key="signals_table")
    correct_signal_form(code)


def signal_label(signal) -> str:
    what = config.signal_kinds.get(signal.kind, signal.kind)
    return " · ".join(filter(None, [format_day(signal.occurred_on, locale), what, signal.account]))


def correct_signal_form(code: str) -> None:
    """Correct a signal logged wrong, or remove one logged by mistake (asked first)."""
    with read_session(engine) as session:
        signals = {stored_id(s): s for s in recent_signals(session, code)}
    if not signals:
        return
    st.markdown("**Correct or remove a signal**")
    signal_id = st.selectbox(
        "Signal to correct",
        list(signals),
        key=f"fix_signal_{code}",
        format_func=lambda i: signal_label(signals[i]),
    )
    signal = signals[signal_id]
    fields = {name: f"fix_signal_{name}_{code}" for name in SIGNAL_FIELDS}
    stored = {key: getattr(signal, name) for name, key in fields.items()}
    start, version = corrections.start_editing(f"fix_signal_{code}", signal_id, stored, signal.version)
    with st.form(f"fix_signal_form_{code}"):
        left, right = st.columns(2)
        left.selectbox(
            "What happened",
            list(config.signal_kinds),
            format_func=lambda kind: config.signal_kinds.get(kind, kind),
            key=fields["kind"],
        )
        right.date_input("When", max_value=today, key=fields["occurred_on"])
        left.text_input("Account or contact", key=fields["account"])
        right.checkbox("Qualified meeting (a real buying need)", key=fields["qualified"])
        left.text_input("Requested content (for a content request)", key=fields["content_title"])
        right.selectbox(
            "Requested by",
            ["", *REQUESTERS],
            key=fields["requested_by"],
            format_func=lambda r: r.capitalize() if r else "—",
        )
        st.text_area("Note", key=fields["note"], height=68)
        if st.form_submit_button("Save signal"):
            corrections.save_changes(
                start,
                fields,
                lambda session, changes: update_signal(
                    session, signal_id=signal_id, by=actor, expected_version=version, config=config, **changes
                ),
                lambda saved: f"Saved: {signal_label(saved)}.",
            )
    label = signal_label(signal)
    corrections.remove_button(
        label="Remove this signal…",
        title=f"Remove the signal {label}?",
        consequence=f"{label} is no longer counted in the market's gate numbers, analytics or content "
        "demand. What it was stays in the History page.",
        work=lambda session: remove_signal(session, signal_id=signal_id, by=actor, expected_version=version),
        message=f"Removed the signal {label}.",
        key=f"remove_signal_{code}",
    )


def opportunities_frame(code: str, search: str, page: int) -> tuple[pd.DataFrame, dict[int, int]]:
    """One page of the deals as the editor shows them, and each shown deal's version (id -> version)."""
    with read_session(engine) as session:
        deals = opportunities(session, code, search=search, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    rows = [
        {
            "id": o.id,
            "crm_id": o.crm_id,
            "name": o.name,
            "account": o.account,
            "amount": float(o.amount),
            "currency": o.currency,
            "value": format_money(o.amount, o.currency, locale),
            "stage": config.stage(o.stage).name,
            "created_on": o.created_on,
            "expected_close": o.expected_close,
            "closed_on": o.closed_on,
            "crm_closed_on": o.crm_closed_on,
            "owner": o.owner,
            "segment": SEGMENTS.get(o.segment or ""),
            "lost_reason": o.lost_reason,
        }
        for o in deals
    ]
    columns = ["id", *FIELDS]
    columns.insert(columns.index("closed_on") + 1, "crm_closed_on")  # shown, not edited: the CRM's date
    # Shown, not edited: the amount as people write it, with its currency and grouping ("€99,000.00").
    columns.insert(columns.index("currency") + 1, "value")
    return pd.DataFrame(rows, columns=columns), {stored_id(o): o.version for o in deals}


def deals_shown(code: str) -> tuple[str, int]:
    """The search and the page of deals to show (a market can have thousands: the editor shows
    PAGE_SIZE at a time, newest first)."""
    left, right = st.columns([3, 1])
    search = pager.search_box(left, "Find deals by name, account or CRM id", key="deals")
    with read_session(engine) as session:
        total = count_opportunities(session, code, search=search)
    shown = pager.page_number(right, total, key="deals", size=PAGE_SIZE)
    st.caption(f"{shown.describe('deals')}, newest first.")
    return search, shown.number


@context.fragment
def opportunities_editor(code: str) -> None:
    """Searching, paging and editing cells rerun only this part of the page; saving reruns it all."""
    search, page = deals_shown(code)
    frame, versions = opportunities_frame(code, search, page)
    ids = frame["id"].tolist()
    # Another market, search or page is another table: a fresh editor, nothing set aside.
    if st.session_state.get(EDITOR_VIEW) != (code, search, page):
        st.session_state[EDITOR_VIEW] = (code, search, page)
        st.session_state[EDITOR_VERSION] = st.session_state.get(EDITOR_VERSION, 0) + 1
    key = f"opportunities_editor_{code}_{st.session_state[EDITOR_VERSION]}"
    # Each shown deal's version when this editor opened: a save over a colleague's later change is refused.
    opened_versions = st.session_state.setdefault(f"{key}_versions", versions)
    # The editor's edits name rows by position: if the deals shown changed underneath (an import, a
    # colleague), those positions point at other deals, so the pending edits are set aside.
    if st.session_state.setdefault(f"{key}_ids", ids) != ids:
        st.session_state[EDITOR_VERSION] += 1
        key = f"opportunities_editor_{code}_{st.session_state[EDITOR_VERSION]}"
        st.session_state[f"{key}_ids"] = ids
        opened_versions = st.session_state[f"{key}_versions"] = versions
        st.warning(
            "The deals changed while you were editing (an import or a colleague): your unsaved edits "
            "were set aside so they cannot land on the wrong deals. Please make them again."
        )
    st.data_editor(
        frame,
        key=key,
        hide_index=True,
        num_rows="add",
        disabled=["id", "crm_id", "crm_closed_on", "value"],
        column_config={
            "id": st.column_config.NumberColumn("#"),
            "crm_id": "CRM id",
            "name": "Deal",
            "account": st.column_config.TextColumn("Account", required=True),
            # A plain pattern: Streamlit's named number formats follow the browser's locale, not the viewer's.
            "amount": st.column_config.NumberColumn("Amount", min_value=0, format="%.2f", required=True),
            "currency": st.column_config.SelectboxColumn("Currency", options=sorted(list_currencies())),
            "value": st.column_config.TextColumn("Value", help="The amount in its currency, as saved"),
            "stage": st.column_config.SelectboxColumn("Stage", options=[s.name for s in config.stages]),
            "created_on": tables.date_column("Created"),
            "expected_close": tables.date_column("Expected close"),
            "closed_on": tables.date_column("Closed"),
            "crm_closed_on": tables.date_column("CRM close date"),
            "owner": "Owner",
            "segment": st.column_config.SelectboxColumn("Segment", options=list(SEGMENTS.values())),
            "lost_reason": "Lost reason",
        },
    )
    if st.button("Save changes", key="save_opportunities", type="primary"):
        save_edits(code, ids, st.session_state[key], opened_versions)


def save_edits(code: str, row_ids: list[int], edits: dict, opened_versions: dict[int, int]) -> None:
    try:
        with write_session(engine) as session:
            updated, created = apply_table_edits(
                session,
                code=code,
                row_ids=row_ids,
                edited_rows=edits.get("edited_rows", {}),
                added_rows=edits.get("added_rows", []),
                by=actor,
                opened_versions=opened_versions,
                config=config,
            )
    except TableEditError as error:
        st.error("Nothing was saved: fix these cells first.")
        tables.dataframe(
            pd.DataFrame([asdict(e) for e in error.errors]), hide_index=True, key="editor_errors"
        )
        return
    except Conflict as error:
        st.session_state[EDITOR_VERSION] += 1  # the next run reopens the table on what is stored now
        st.error(plain(str(error)))
        return
    except RolloutError as error:
        st.error(plain(str(error)))
        return
    data.after_write()
    st.session_state[EDITOR_VERSION] += 1  # a fresh editor showing what was saved
    context.flash(f"Saved: {updated} updated, {created} added.")
    st.rerun()


def deal_board(code: str) -> None:
    """The market's open deals by stage, a card each: name, account, amount (its currency and the reporting
    one), owner and days in stage."""
    reporting = book.reporting_currency
    with read_session(engine) as session:
        columns = open_deal_board(session, code, config, data.rate_book(database_url()), reporting, today)
    for place, column in zip(st.columns(len(columns)), columns, strict=True):
        place.markdown(f"**{plain(column.name)}** · {column.deals}")
        for card in column.cards:
            box = place.container(border=True, key=f"board_card_{card.id}")
            box.markdown(f"**{plain(card.name or card.account)}**")
            money = format_money(card.amount, card.currency, locale)
            if card.currency != reporting:
                converted = (
                    format_money(card.reporting_amount, reporting, locale) if card.reporting_amount else "?"
                )
                money += f" ({converted})"
            box.caption(
                plain(f"{card.account} · {money} · {card.owner or 'no owner'} · {card.days_in_stage} d")
            )
        if column.deals > len(column.cards):
            place.caption(f"and {column.deals - len(column.cards)} more")


st.title("Sales log")
context.show_flash()
countries = context.countries_or_stop()
code = context.choose_country(countries, key="sales_country")
status = data.gate_status(database_url(), code, today)
if status.at_gate and status.started:
    gate_numbers(status, countries[code])
signal_form(code)
signals_tab, deals_tab, board_tab = st.tabs(["Recent signals", "Opportunities", "Board"])
with signals_tab:
    signals_table(code)
with deals_tab:
    st.caption("Edit cells or add rows at the bottom, then save. Rows are saved by their #, all or none.")
    opportunities_editor(code)
with board_tab:
    st.caption("Open deals by stage, biggest first; days in their current stage.")
    deal_board(code)
confirmations()
