"""Import deals: bring a country's deals from HubSpot, Salesforce or any CSV/XLSX export."""

import re
from dataclasses import asdict

import pandas as pd
import streamlit as st

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.sales.crm_files import FIELDS, REQUIRED, CrmFileError, read_table, suggest_mapping
from rollout.sales.deals_import import (
    ImportOutcome,
    export_deals_csv,
    import_deals,
    save_mapping,
    saved_mappings,
)
from rollout.ui import context, data, tables
from rollout.ui.format import plain

engine, actor = data.engine(), context.acting_user()
FORMATS = {
    "auto": "Recognise HubSpot or Salesforce",
    "hubspot": "HubSpot deals export",
    "salesforce": "Salesforce opportunities report",
    "mapped": "Another file: map its columns",
}
SUGGESTED = "Suggested from the headers"
FIELD_LABELS = {
    "crm_id": "CRM id",
    "account": "Account",
    "amount": "Amount",
    "currency": "Currency",
    "stage": "Stage",
    "created_on": "Created on",
    "expected_close": "Expected close",
    "closed_on": "Closed on",
    "owner": "Owner",
    "segment": "Segment",
    "lost_reason": "Lost reason",
}


def slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_").lower()


def mapping_widgets(content: bytes, filename: str) -> tuple[dict[str, str], str]:
    """Field → column choices for a file of another layout, starting from a saved or suggested mapping."""
    headers = list(read_table(content, filename)[0])
    with read_session(engine) as session:
        saved = saved_mappings(session)
    start = st.selectbox("Start from", [SUGGESTED, *saved], key="deals_mapping_start")
    base = saved.get(start) or suggest_mapping(headers)
    mapping = {}
    columns = st.columns(3)
    for position, field in enumerate(FIELDS):
        current = base.get(field)
        choice = columns[position % 3].selectbox(
            f"{FIELD_LABELS[field]}{' *' if field in REQUIRED else ''}",
            ["", *headers],
            index=headers.index(current) + 1 if current in headers else 0,
            key=f"map_{slug(start)}_{field}",
        )
        if choice:
            mapping[field] = choice
    name = st.text_input(
        "Save this mapping as (optional)", key="deals_mapping_name", placeholder="e.g. Pipedrive export"
    )
    return mapping, name


def show_outcome(outcome: ImportOutcome, dry_run: bool) -> None:
    if outcome.refused:
        st.error(
            f"The file was refused and nothing was imported: {len(outcome.problems)} problem(s) in "
            f"{outcome.rejected} row(s). Fix them and import the whole file again."
        )
        problems = pd.DataFrame([asdict(p) for p in outcome.problems])
        tables.dataframe(
            problems.rename(columns={"data_row": "data row"}), hide_index=True, key="import_problems"
        )
    elif dry_run:
        st.info(f"Checked, nothing written. Importing would give: {outcome.summary()}.")
    else:
        st.success(f"Imported ({outcome.format}): {outcome.summary()}.")
    if outcome.missing_rates and not outcome.refused:
        st.warning(
            f"No exchange rate yet for {', '.join(outcome.missing_rates)}: reporting cannot convert these "
            "deals until you add one on the Exchange rates page."
        )


def run_import(
    code: str, content: bytes, filename: str, format: str, mapping: dict | None, name: str, dry_run: bool
) -> None:
    try:
        with write_session(engine) as session:
            outcome = import_deals(
                session,
                code=code,
                content=content,
                filename=filename,
                by=actor,
                format=format,
                mapping=mapping,
                dry_run=dry_run,
            )
            if mapping and name and not dry_run and not outcome.refused:
                save_mapping(session, name=name, columns=mapping, by=actor)
    except (CrmFileError, RolloutError) as error:
        st.error(plain(str(error)))
        return
    if not dry_run and not outcome.refused:
        data.after_write()
    show_outcome(outcome, dry_run)


st.title("Import deals")
countries = context.countries_or_stop()
code = context.choose_country(countries, key="import_country")
st.caption(
    "Re-importing a file updates deals by their CRM id: nothing is duplicated. The whole file is "
    "checked first; a single bad row refuses it, with every problem listed."
)
upload = st.file_uploader("CRM export (CSV or XLSX)", type=["csv", "txt", "tsv", "xlsx"], key="deals_file")


def deals_csv(code: str = code) -> bytes:
    with read_session(engine) as session:
        return export_deals_csv(session, code)


# Built when clicked: writing every deal of a big market on each rerun would slow the whole page.
st.download_button(
    "Export this country's deals (CSV)",
    deals_csv,
    file_name=f"deals-{code}.csv",
    mime="text/csv",
    key="deals_export",
)
if upload is None:
    st.stop()

content = upload.getvalue()
format = st.radio("Layout", list(FORMATS), format_func=FORMATS.get, key="deals_format", horizontal=True)
mapping, name = None, ""
if format == "mapped":
    try:
        mapping, name = mapping_widgets(content, upload.name)
    except CrmFileError as error:
        st.error(plain(str(error)))
        st.stop()
check, save = st.columns([1, 6])
if check.button("Check file", key="deals_check"):
    run_import(code, content, upload.name, format, mapping, name, dry_run=True)
if save.button("Import", key="deals_import", type="primary"):
    run_import(code, content, upload.name, format, mapping, name, dry_run=False)
