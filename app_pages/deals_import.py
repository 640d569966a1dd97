"""Import deals: bring a country's deals from HubSpot, Salesforce or any CSV/XLSX export.

A guided flow: upload (the layout recognised and the first rows as they will be read), map (columns, then
the file's pipelines and the stage labels Rollout does not know), check, import; then what changed, and
the market's import history."""

import re
from dataclasses import asdict

import pandas as pd
import streamlit as st

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import ImportMapping
from rollout.sales.crm_files import FIELDS, FORMAT_NAMES, REQUIRED, CrmFileError, read_table, suggest_mapping
from rollout.sales.deals_import import (
    ImportOutcome,
    export_deals_csv,
    import_deals,
    save_mapping,
    saved_choices,
)
from rollout.sales.import_choices import SKIP, FileOverview, overview, rejected_rows_csv
from rollout.sales.import_history import (
    CHANGE_COLUMNS,
    change_rows,
    changes_csv,
    history_csv,
    history_rows,
    import_changes,
    imports,
)
from rollout.sales.pipeline import load_pipeline_config
from rollout.ui import context, data, tables
from rollout.ui.format import format_count, plain

engine, actor, locale = data.engine(), context.acting_user(), context.viewer_locale()
CONFIG = load_pipeline_config()
FORMATS = {
    "auto": "Recognise HubSpot or Salesforce",
    "hubspot": "HubSpot deals export",
    "salesforce": "Salesforce opportunities report",
    "mapped": "Another file: map its columns",
}
SUGGESTED = "Suggested from the headers"
NOTHING_SAVED = "Nothing saved"
CHOOSE, SKIP_DEALS = "— choose a stage —", "Skip these deals"
STAGE_NAMES = {stage.key: stage.name for stage in CONFIG.stages}
FIELD_LABELS = {
    "crm_id": "CRM id",
    "name": "Deal name",
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
    "pipeline": "Pipeline",
}


def slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_").lower()


def mapping_widgets(
    content: bytes, filename: str, saved: dict[str, ImportMapping]
) -> tuple[dict[str, str], ImportMapping | None]:
    """Field → column choices for a file of another layout, starting from a saved or suggested mapping."""
    headers = list(read_table(content, filename)[0])
    own = [name for name, found in saved.items() if found.format == "mapped"]
    start = st.selectbox("Start from", [SUGGESTED, *own], key="deals_mapping_start")
    base = saved[start].columns if start in saved else suggest_mapping(headers)
    mapping = {}
    columns = st.columns(3)
    for position, field in enumerate([*FIELDS, "pipeline"]):
        current = base.get(field)
        choice = columns[position % 3].selectbox(
            f"{FIELD_LABELS[field]}{' *' if field in REQUIRED else ''}",
            ["", *headers],
            index=headers.index(current) + 1 if current in headers else 0,
            key=f"map_{slug(start)}_{field}",
        )
        if choice:
            mapping[field] = choice
    return mapping, saved.get(start)


def saved_for_layout(saved: dict[str, ImportMapping], layout: str) -> ImportMapping | None:
    """The saved choices of a HubSpot or Salesforce layout to start from: the latest saved, preselected."""
    own = sorted(
        (found for found in saved.values() if found.format == layout),
        key=lambda m: m.updated_at,
        reverse=True,
    )
    names = [NOTHING_SAVED, *(found.name for found in own)]
    start = st.selectbox(
        "Start from saved choices", names, index=1 if own else 0, key=f"deals_saved_{layout}_{len(own)}"
    )
    return saved.get(start)


@st.cache_data(ttl=600, max_entries=4, show_spinner="Reading the file…")
def file_overview(content: bytes, filename: str, format: str, mapping: dict[str, str] | None) -> FileOverview:
    """Read once per file and layout, not on every click of the choices below (a big file takes seconds).
    Keyed by the file's own bytes, so one user's file is never another's."""
    return overview(content, filename, CONFIG, format=format, mapping=mapping)


def show_preview(seen: FileOverview) -> None:
    where = f"{seen.encoding}, {'XLSX' if seen.delimiter is None else repr(seen.delimiter) + '-separated'}"
    st.caption(f"Read as a {FORMAT_NAMES.get(seen.format, 'mapped')} file ({where}). Its first rows as read:")
    tables.dataframe(pd.DataFrame(seen.preview), hide_index=True, key="deals_preview")


def pipeline_choice(seen: FileOverview, start: ImportMapping | None, key: str) -> list[str] | None:
    """The pipelines to take (None: the file has none): those saved, else every one of the file's."""
    if not seen.pipelines:
        return None
    names = list(seen.pipelines)
    saved = [name for name in (start.pipelines or []) if name in names] if start else []
    return st.multiselect(
        "Pipelines that are this market's new business (the others' deals are skipped)",
        names,
        default=saved or names,
        format_func=lambda name: f"{name or '(none)'} — {seen.pipelines[name]} deal(s)",
        key=f"deals_pipelines_{key}",
    )


def stage_choices(seen: FileOverview, pipelines: list[str] | None, start: ImportMapping | None) -> dict:
    """Each stage label of the file Rollout does not know → a Rollout stage or SKIP; unmapped ones stay
    problems of the check."""
    unknown = seen.unknown_stages(pipelines)
    if not unknown:
        return {}
    st.markdown("**Stages this file uses that Rollout does not know**")
    saved = start.stages if start else {}
    options = [CHOOSE, SKIP_DEALS, *STAGE_NAMES]
    stages = {}
    columns = st.columns(2)
    for position, label in enumerate(unknown):
        current = saved.get(label.label)
        index = 1 if current == SKIP else options.index(current) if current in options else 0
        choice = columns[position % 2].selectbox(
            f"'{label.label}' ({label.deals} deal(s))",
            options,
            index=index,
            format_func=lambda key: STAGE_NAMES.get(key, key),
            key=f"stage_map_{slug(label.label)}",
        )
        if choice != CHOOSE:
            stages[label.label] = SKIP if choice == SKIP_DEALS else choice
    return stages


def show_outcome(
    outcome: ImportOutcome, dry_run: bool, content: bytes, filename: str, keep_rollout_edits: bool
) -> None:
    if outcome.refused:
        st.error(
            f"The file was refused and nothing was imported: {len(outcome.problems)} problem(s) in "
            f"{outcome.rejected} row(s). Fix them and import the whole file again, or import its valid rows."
        )
    elif dry_run:
        st.info(f"Checked, nothing written. Importing would give: {outcome.summary()}.")
    else:
        st.success(f"Imported ({outcome.format}): {outcome.summary()}.")
    if outcome.problems:
        problems = pd.DataFrame([asdict(p) for p in outcome.problems])
        tables.dataframe(
            problems.rename(columns={"data_row": "data row"}), hide_index=True, key="import_problems"
        )
    if outcome.partial and not dry_run:
        st.warning(f"{outcome.rejected} row(s) were refused: download them, fix them and import that file.")
        st.download_button(
            "Download the refused rows (CSV)",
            rejected_rows_csv(content, filename, outcome.problems),
            file_name=f"refused-{filename.rsplit('.', 1)[0]}.csv",
            mime="text/csv",
            on_click="ignore",
            key="deals_rejected",
        )
    if outcome.warnings:
        st.warning(
            f"{len(outcome.warnings)} closed deal(s) dated ahead: each counts as closed on the day of its "
            "import and keeps its CRM close date."
        )
        warnings = pd.DataFrame([asdict(w) for w in outcome.warnings])
        st.dataframe(
            warnings.rename(columns={"data_row": "data row", "problem": "warning"}),
            hide_index=True,
            key="import_warnings",
        )
    if outcome.conflicts:
        kept = "Rollout's values were kept" if keep_rollout_edits else "the CRM's values were taken"
        st.warning(
            f"{len(outcome.conflicts)} field(s) changed in Rollout since their last import differ in the "
            f"file: {'choose above whose values to keep' if dry_run else kept}."
        )
        conflicts = pd.DataFrame(change_rows(outcome.conflicts), columns=list(CHANGE_COLUMNS)).drop(
            columns="action"
        )
        tables.dataframe(
            conflicts.rename(columns={"deal_name": "deal", "old": "in Rollout", "new": "in the file"}),
            hide_index=True,
            key="import_conflicts",
        )
    if outcome.missing_rates and not outcome.refused:
        st.warning(
            f"No exchange rate yet for {', '.join(outcome.missing_rates)}: reporting cannot convert these "
            "deals until you add one on the Exchange rates page."
        )
    if outcome.changes and not outcome.refused:
        show_changes(outcome.changes, "import_changes", f"changes-{filename.rsplit('.', 1)[0]}.csv")


def show_changes(changes: list, key: str, file_name: str) -> None:
    st.markdown("**What the import changed**" if key == "import_changes" else "**Its changes**")
    frame = pd.DataFrame(change_rows(changes), columns=list(CHANGE_COLUMNS))
    tables.dataframe(frame.rename(columns={"deal_name": "deal"}), hide_index=True, key=key)
    st.download_button(
        "Download the change list (CSV)",
        changes_csv(changes),
        file_name=file_name,
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
    )


def progress_shown(bar, dry_run: bool):
    """The import's progress on `bar`: checking is the first half of an import, writing the second."""

    def shown(step: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if not dry_run:
            share = share / 2 if step == "checked" else 0.5 + share / 2
        counted = f"{format_count(done, locale)} of {format_count(total, locale)} deals"
        bar.progress(min(share, 1.0), text=f"{step.capitalize()} {counted}")

    return shown


def run_import(code: str, content: bytes, filename: str, choices: dict, name: str, dry_run: bool) -> None:
    try:
        with st.status("Checking the file…" if dry_run else "Importing…") as status:
            bar = st.progress(0.0, text="Reading the file…")
            with write_session(engine) as session:
                outcome = import_deals(
                    session,
                    code=code,
                    content=content,
                    filename=filename,
                    by=actor,
                    dry_run=dry_run,
                    mapping_name=name,
                    progress=progress_shown(bar, dry_run),
                    **choices,
                )
                if name and not dry_run and not outcome.refused:
                    layout = choices["format"] if choices["format"] != "auto" else outcome.format
                    save_mapping(
                        session,
                        name=name,
                        columns=choices["mapping"] or {},
                        by=actor,
                        format=layout,
                        stages=choices["stages"],
                        pipelines=choices["pipelines"],
                    )
            status.update(label="Checked" if dry_run else "Done", state="complete")
    except (CrmFileError, RolloutError) as error:
        st.error(plain(str(error)))
        return
    if not dry_run and not outcome.refused:
        data.after_write()
    show_outcome(outcome, dry_run, content, filename, choices["keep_rollout_edits"])


def history_csv_of(code: str) -> bytes:
    with read_session(engine) as session:
        return history_csv(session, code)


def show_history(code: str) -> None:
    with read_session(engine) as session:
        entries = imports(session, code)
    st.subheader("Import history")
    if not entries:
        st.caption("No import yet for this market.")
        return
    rows = history_rows(entries)
    for row, entry in zip(rows, entries, strict=True):
        row["mapping"] = entry.mapping.get("name") or ""
    tables.dataframe(pd.DataFrame(rows), hide_index=True, key="deals_history")
    st.download_button(
        "Download the import history (CSV)",
        lambda: history_csv_of(code),
        file_name=f"imports-{code}.csv",
        mime="text/csv",
        key="deals_history_csv",
        on_click="ignore",
    )
    labels = {row["id"]: f"#{row['id']} {row['filename']} ({row['imported_at']})" for row in rows}
    picked = st.selectbox(
        "Changes of import", list(labels), format_func=labels.__getitem__, key="deals_history_pick"
    )
    with read_session(engine) as session:
        changes = import_changes(session, int(picked or rows[0]["id"]))
    show_changes(changes, "deals_history_changes", f"import-{picked}-changes.csv")


st.title("Import deals")
countries = context.countries_or_stop()
code = context.choose_country(countries, key="import_country")
st.caption(
    "Re-importing a file updates deals by their CRM id: nothing is duplicated. The whole file is "
    "checked first; a single bad row refuses it, with every problem listed, unless you import its valid rows."
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
    on_click="ignore",
)
if upload is None:
    show_history(code)
    st.stop()

content = upload.getvalue()
format = st.radio("Layout", list(FORMATS), format_func=FORMATS.get, key="deals_format", horizontal=True)
with read_session(engine) as session:
    saved = saved_choices(session)
mapping: dict[str, str] | None = None
try:
    if format == "mapped":
        mapping, start = mapping_widgets(content, upload.name, saved)
    seen = file_overview(content, upload.name, format, mapping)
except CrmFileError as error:
    st.error(plain(str(error)))
    show_history(code)
    st.stop()
if format != "mapped":
    start = saved_for_layout(saved, seen.format)
show_preview(seen)
start_key = slug(start.name if start else "none")
pipelines = pipeline_choice(seen, start, start_key)
stages = stage_choices(seen, pipelines, start)
name = st.text_input(
    "Save these choices as (optional)", key="deals_mapping_name", placeholder="e.g. HubSpot Spain"
)
keep_rollout = st.radio(
    "Where a deal was changed in Rollout since its last import and the file says otherwise",
    ["crm", "rollout"],
    format_func={"crm": "Take the CRM's values", "rollout": "Keep Rollout's values"}.get,
    key="deals_conflicts",
    horizontal=True,
)
valid_rows = st.checkbox(
    "Import the valid rows now and download the refused ones to fix (default: all or nothing)",
    key="deals_valid_rows",
)
choices = {
    "format": format,
    "mapping": mapping,
    "stages": stages,
    "pipelines": pipelines,
    "valid_rows": valid_rows,
    "keep_rollout_edits": keep_rollout == "rollout",
}
check, save = st.columns([1, 6])
if check.button("Check file", key="deals_check"):
    run_import(code, content, upload.name, choices, name, dry_run=True)
if save.button("Import", key="deals_import", type="primary"):
    run_import(code, content, upload.name, choices, name, dry_run=False)
show_history(code)
