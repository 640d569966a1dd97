"""The audit trail as people read it: one line per change, as an event ("Lucía moved São Martinho from
Qualified to Won (import)"), with each field's old and new value a click away."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from rollout.platform import audit
from rollout.platform.db import read_session
from rollout.platform.locales import country_name
from rollout.ui import context, data, tables
from rollout.ui.format import words
from rollout.ui.people import names as known_people

# Kinds of record as people call them (the tables' own names are codes).
KINDS = {
    "opportunity": "deal",
    "stagechange": "deal stage",
    "hire": "candidate",
    "hirestagechange": "candidate stage",
    "localevent": "local event",
    "contentitem": "piece",
    "checkmark": "check mark",
    "app_user": "user",
    "exchangerate": "exchange rate",
    "importmapping": "column mapping",
    "digest_sent": "digest",
    audit.VIEW_AS: "view as",
}
SOURCES = {"ui": "", "import": "import", "cli": "command line", "demo": "demo", "local": "local mode"}
NAME_FIELDS = ("name", "title", "candidate", "account", "display_name", "email", "code")


def kind_of(table: str) -> str:
    return KINDS.get(table, words(table).lower())


def record_names(session: Session, changes: pd.DataFrame) -> dict[str, str]:
    """Each record's name ("record" as the trail writes it: "opportunity 12"): from its fields in the
    changes shown, else from the stored row; "#12" when it has none (a record removed long ago)."""
    names: dict[str, str] = {}
    for record, field, old, new in changes[["record", "field", "old", "new"]].itertuples(index=False):
        if field in NAME_FIELDS and (new or old) and record not in names:
            names[record] = str(new or old)
    models = {mapper.class_.__table__.name: mapper.class_ for mapper in audit.audited_mappers()}
    for record in set(changes["record"]) - set(names):
        table, _, key = record.partition(" ")
        model = models.get(table)
        stored = session.get(model, int(key) if key.isdigit() else key) if model and "/" not in key else None
        found = next((getattr(stored, f) for f in NAME_FIELDS if getattr(stored, f, "")), None)
        names[record] = str(found) if found else f"#{key}"
    for record in list(names):
        if record.startswith("country "):
            names[record] = country_name(record.removeprefix("country "), context.viewer_locale())
    return names


def event_sentence(
    who: str, action: str, record: str, name: str, fields: Mapping[str, tuple[Any, Any]]
) -> str:
    """One change in words: "Lucía moved São Martinho from Qualified to Won"."""
    table = record.partition(" ")[0]
    kind = kind_of(table)
    if table == audit.VIEW_AS:
        return f"{who} {'started' if action == 'start' else 'stopped'} viewing the app as {name}"
    if action == "create":
        return f"{who} added the {kind} {name}"
    removed = "removed_at" in fields and fields["removed_at"][1] is not None  # a candidate marked removed
    if action == "delete" or removed:
        return f"{who} removed the {kind} {name}"
    if "stage" in fields:
        old, new = fields["stage"]
        return f"{who} moved {name} from {words(str(old))} to {words(str(new))}"
    changed = ", ".join(words(field).lower() for field in fields)
    return f"{who} changed the {kind} {name}: {changed}"


def events(changes: pd.DataFrame, people: Mapping[str, str], names: Mapping[str, str]) -> pd.DataFrame:
    """The trail's field rows (audit.history) as one row per change, newest first."""
    rows = []
    keys = ["at", "who", "source", "action", "record"]
    for (at, email, source, action, record), group in changes.groupby(keys, sort=False):
        fields = {f: (o, n) for f, o, n in group[["field", "old", "new"]].itertuples(index=False)}
        who = people.get(str(email)) or str(email)
        sentence = event_sentence(who, str(action), str(record), names.get(str(record), str(record)), fields)
        origin = SOURCES.get(str(source), str(source))
        rows.append(
            {"when": at, "what happened": f"{sentence} ({origin})" if origin else sentence, "by": email}
        )
    return pd.DataFrame(rows, columns=["when", "what happened", "by"])


def history_table(changes: pd.DataFrame, key: str) -> None:
    """The changes as events; each field's old and new value shown on a click."""
    people = known_people()
    with read_session(data.engine()) as session:
        names = record_names(session, changes) if not changes.empty else {}
    tables.dataframe(
        events(changes, people, names),
        hide_index=True,
        key=key,
        column_config={
            "when": "When",
            "by": st.column_config.TextColumn("Email", help="The email of who made the change"),
        },
    )
    if st.toggle("Each field changed, old → new", key=f"{key}_fields"):
        detail = changes.assign(
            who=[people.get(e) or e for e in changes["who"]], field=changes["field"].map(words)
        )
        tables.dataframe(
            detail.astype({"old": str, "new": str}).replace({"None": ""}),  # a field's values differ in type
            hide_index=True,
            key=f"{key}_detail",
            column_config={"at": "When"},
        )
