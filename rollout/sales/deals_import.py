"""Importing a CRM's deals for a country (idempotent by CRM id) and exporting them back as CSV."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Row, RowMapping, Select, String, Table, bindparam, func, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from rollout.platform import audit, bulk
from rollout.platform.access import Action, PermissionDenied, authorize, principal
from rollout.platform.countries import get_country
from rollout.platform.errors import Conflict, RolloutError
from rollout.platform.exports import csv_bytes
from rollout.platform.locking import locked, serialised, touch
from rollout.platform.models import (
    AuditEntry,
    ExchangeRate,
    ImportMapping,
    Opportunity,
    Role,
    StageChange,
    utc_now,
)
from rollout.sales.crm_files import FIELDS, CrmFileError, DealRow, ParsedFile, RowProblem, parse_deals
from rollout.sales.import_choices import SKIP, check_stage_map, taken_pipelines
from rollout.sales.import_history import record_import
from rollout.sales.money import EURO
from rollout.sales.pipeline import PipelineConfig, Stage, fold_label, load_pipeline_config

SOURCES = {"hubspot": "hubspot", "salesforce": "salesforce", "mapped": "csv"}
# The sources a deal's CRM id can belong to: a file in Rollout's own layout says which in `crm_source`.
KNOWN_SOURCES = ("hubspot", "salesforce", "csv", "manual")
# What an import reads, so an export imports back unchanged (its CRM ids within the same sources).
EXPORT_FIELDS = (*FIELDS, "crm_source")
CHUNK = 5_000  # rows read, checked and written at a time: memory stays flat whatever the file's size
OPPORTUNITY: Table = Opportunity.__table__  # type: ignore[attr-defined]
STAGE_CHANGE: Table = StageChange.__table__  # type: ignore[attr-defined]
# The columns of a stored deal an import compares, stamps or records in the audit trail.
COMPARED: tuple[str, ...] = (
    "name",
    "account",
    "amount",
    "currency",
    "stage",
    "created_on",
    "expected_close",
    "closed_on",
    "crm_closed_on",
    "owner",
)
COMPARED += ("segment", "lost_reason")
STORED = ("id", "source", "crm_id", "country_code", "version", "updated_at", "updated_by", *COMPARED)
IMPORT_LOCK = "deal import"


@dataclass(slots=True)
class Change:
    """What an import did to one deal: created it, changed one field (old -> new), or skipped it (why)."""

    crm_id: str
    name: str
    action: str  # "created", "updated" or "skipped"
    field: str = ""
    old: str = ""
    new: str = ""


@dataclass
class ImportOutcome:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # deals left out by choice: a pipeline not taken, a stage mapped to skip
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Valid rows only: the rows with problems were left out and the others imported.
    partial: bool = False
    changes: list[Change] = field(default_factory=list)  # created, updated (per field) and skipped deals
    # Fields changed in Rollout since the deal's last import that the file's value differs from: old is
    # Rollout's value, new the CRM's.
    conflicts: list[Change] = field(default_factory=list)
    import_id: int | None = None  # its entry in the import history, once written
    # Rows imported, but not quite as written: closed deals dated ahead, counted as closed on import.
    warnings: list[RowProblem] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)  # imported currencies reporting cannot convert

    @property
    def refused(self) -> bool:
        return bool(self.problems) and not self.partial

    def summary(self) -> str:
        skipped = f"skipped {self.skipped}, " if self.skipped else ""
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"{skipped}rejected {self.rejected}"
        )


def _values(
    row: DealRow, stage: str, currency: str, today: date, closed: bool, stored: Row | None
) -> dict[str, Any]:
    """The opportunity a row describes. A date the file leaves out keeps what is stored (so re-importing
    the same file changes nothing), else defaults to the close date or today."""
    closed_on, crm_closed_on = _closing(row, today, stored) if closed else (None, None)
    created_on = row.created_on or (stored.created_on if stored else None) or min(today, closed_on or today)
    return {
        "name": row.name,
        "account": row.account[:200],
        "amount": row.amount,
        "currency": currency,
        "stage": stage,
        "created_on": created_on,
        "expected_close": row.expected_close,
        "closed_on": closed_on,
        "crm_closed_on": crm_closed_on,
        "owner": row.owner,
        "segment": row.segment,
        "lost_reason": row.lost_reason,
    }


def _closing(row: DealRow, today: date, stored: Row | None) -> tuple[date, date | None]:
    """(the day a closed deal counts as closed, its CRM's later close date or None).

    A deal marked won or lost ahead of its CRM's close date counts as closed the day it was first imported
    so: the win is not reported in a period still to come, and a later re-import does not move it."""
    crm_date = row.closed_on or row.expected_close
    counted = stored.closed_on if stored is not None else None
    kept = stored.crm_closed_on if stored is not None and counted else None
    if crm_date is None:
        return counted or today, kept
    if counted and kept == crm_date:
        return counted, crm_date
    if crm_date > today:
        return counted or today, crm_date
    return crm_date, None


def _header(parsed: ParsedFile, field: str) -> str:
    """The file's own name for a field; a close date read from the expected-close column is named so."""
    fallback = {"closed_on": "expected_close"}.get(field, field)
    return parsed.field_headers.get(field) or parsed.field_headers.get(fallback) or field


# Told how an import goes: ("checked" or "written", deals done so far, deals in all).
Progress = Callable[[str, int, int], None]


def _silent(step: str, done: int, total: int) -> None:
    """No one to tell (the CLI, tests)."""


def _counted_chunks(rows: Sequence[DealRow]) -> Iterator[tuple[int, Sequence[DealRow]]]:
    """Each chunk with the number of rows up to its end."""
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        yield start + len(chunk), chunk


def _existing(session: Session, rows: Sequence[DealRow]) -> dict[tuple[str, str], Row]:
    """The stored deals of these rows' CRM ids by (source, CRM id): only the columns compared, stamped and
    audited, as plain rows (ORM objects cost a validation per field and stay in the session until it
    closes)."""
    table, connection = OPPORTUNITY, session.connection()
    ids = _one_of(connection.dialect.name, [row.crm_id for row in rows])
    query = select(*(table.c[name] for name in STORED)).where(table.c.crm_id.in_(ids))
    return {(stored.source, stored.crm_id): stored for stored in connection.execute(query)}


def _one_of(dialect: str, values: list[str]) -> list[str] | Select:
    """What `column.in_()` takes for these values. On PostgreSQL one array parameter, unnested: a list of
    thousands of parameters is parsed again by psycopg on every query, and once prepared it is planned as
    "compare each row with every value" (minutes for a re-import of 100,000 deals); a join on the array
    stays linear whatever the plan."""
    if dialect != "postgresql":
        return values
    return select(func.unnest(bindparam("values", values, type_=ARRAY(String))))


def _lock_stored(session: Session, crm_ids: list[str]) -> None:
    """Lock the stored deals of these CRM ids until the transaction ends, in id order, as one statement:
    two writers locking deals in the same order cannot deadlock. (PostgreSQL; SQLite's write transactions
    hold the whole database.)"""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not crm_ids:
        return
    table = OPPORTUNITY
    ids = _one_of(connection.dialect.name, crm_ids)
    query = select(table.c.id).where(table.c.crm_id.in_(ids)).order_by(table.c.id).with_for_update()
    connection.execute(query)


def _currencies_without_rates(session: Session, currencies: set[str]) -> list[str]:
    known = set(session.exec(select(ExchangeRate.currency).distinct()).all()) | {EURO}
    return sorted(currencies - known)


def import_deals(
    session: Session,
    *,
    code: str,
    content: bytes,
    filename: str,
    by: str,
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    today: date | None = None,
    config: PipelineConfig | None = None,
    stages: Mapping[str, str] | None = None,
    pipelines: Iterable[str] | None = None,
    valid_rows: bool = False,
    mapping_name: str = "",
    keep_rollout_edits: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate the whole file, then create or update its deals in the caller's transaction.

    Any bad row refuses the file: nothing is written and every problem is listed; with `valid_rows`, the
    rows without problems are imported and the others listed. CrmFileError is raised when the file as a
    whole cannot be read. `stages` maps the file's stage labels Rollout does not know to a stage key (or
    SKIP: those deals are skipped); `pipelines` names the CRM pipelines taken (None: all). A written
    import is kept in the market's import history (`mapping_name` says which saved mapping it used).
    A field changed in Rollout since the deal's last import that the file would overwrite is listed in
    `conflicts`; the file's value wins unless `keep_rollout_edits`. `progress` is told, a chunk at a time,
    how many deals were checked, then written, of how many.
    """
    taken = None if pipelines is None else list(pipelines)
    choices = _Choices(dict(stages or {}), taken, valid_rows, keep_rollout_edits, progress or _silent)
    outcome = _import(session, code, content, filename, by, format, mapping, dry_run, today, config, choices)
    if not dry_run and not outcome.refused:
        settings = {"name": mapping_name, "columns": mapping or {}, **choices.saved()}
        outcome.import_id = record_import(session, outcome, code, by, filename, content, settings)
    return outcome


@dataclass
class _Choices:
    stages: dict[str, str]
    pipelines: list[str] | None
    valid_rows: bool
    keep_rollout_edits: bool = False
    progress: Progress = field(default=_silent)

    def saved(self) -> dict[str, Any]:
        return {"stages": self.stages, "pipelines": self.pipelines, "valid_rows": self.valid_rows}


def _import(
    session: Session,
    code: str,
    content: bytes,
    filename: str,
    by: str,
    format: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
    today: date | None,
    config: PipelineConfig | None,
    choices: _Choices,
) -> ImportOutcome:
    today, config = today or date.today(), config or load_pipeline_config()
    check_stage_map(choices.stages, config)
    # Read before the first statement: on SQLite that takes the database's write lock, and reading a big
    # file takes seconds other writers need not wait for.
    parsed = parse_deals(content, filename, format=format, mapping=mapping)
    # The parsed rows live until the import ends. Frozen, Python's full collections stop walking them again
    # and again (a third of a large import's time), while the collector goes on for everything made after,
    # the server's other sessions included (pausing it would stop that too); unfrozen, they are collected
    # as usual.
    gc.freeze()
    try:
        return _import_parsed(session, parsed, code, filename, by, dry_run, today, config, choices)
    finally:
        gc.unfreeze()


def _import_parsed(
    session: Session,
    parsed: ParsedFile,
    code: str,
    filename: str,
    by: str,
    dry_run: bool,
    today: date,
    config: PipelineConfig,
    choices: _Choices,
) -> ImportOutcome:
    _check_pipelines(parsed, choices.pipelines, filename)
    country = get_country(session, code)
    by = authorize(session, by, Action.LOG_PIPELINE, country.code)
    audit.record_as_import(session)
    outcome = ImportOutcome(format=parsed.format)
    session.flush()  # the Core reads below do not autoflush: they must see what the caller has pending
    if not dry_run:
        # Imports run one after another (CRM ids are unique across countries), and the deals this one
        # updates stay locked from its checks to its commit: what it compares, versions and records as
        # the old values is what is stored, and an edit saved meanwhile waits, then meets a new version.
        serialised(session, IMPORT_LOCK)
        _lock_stored(session, [row.crm_id for row in parsed.valid_rows])
    importer = _Importer(session, parsed, country.code, country.currency, by, config, today, choices)
    # Every problem of the file at once, the parser's and ours, in file order; nothing written before.
    problems = importer.taken_problems(parsed.problems)
    for done, rows in _counted_chunks(parsed.valid_rows):
        problems += importer.problems(rows)
        choices.progress("checked", done, len(parsed.valid_rows))
    outcome.warnings = importer.warnings
    outcome.skipped, outcome.changes = len(importer.skipped), list(importer.skipped)
    good_rows: Sequence[DealRow] = parsed.valid_rows
    if problems:
        problems.sort(key=lambda p: (p.data_row, p.column))
        refused_rows = {p.data_row for p in problems}
        outcome.problems, outcome.rejected = problems, len(refused_rows)
        outcome.warnings = [w for w in outcome.warnings if w.data_row not in refused_rows]
        if not choices.valid_rows:
            return outcome
        outcome.partial = True
        good_rows = [row for row in parsed.valid_rows if row.data_row not in refused_rows]
    currencies = {row.currency or country.currency for row in good_rows}
    outcome.missing_rates = _currencies_without_rates(session, currencies)
    for done, rows in _counted_chunks(good_rows):
        importer.write(rows, outcome, dry_run)
        if not dry_run:
            choices.progress("written", done, len(good_rows))
    return outcome


def _check_pipelines(parsed: ParsedFile, pipelines: list[str] | None, filename: str) -> None:
    """Pipelines can be chosen only in a file that has them, and the choice must take some of its deals:
    a misspelt name would otherwise skip the whole file."""
    if pipelines is None:
        return
    if "pipeline" not in parsed.field_headers:
        raise CrmFileError(f"{filename}: pipelines were chosen, but the file has no pipeline column")
    found = {row.pipeline for row in parsed.valid_rows}
    taken = taken_pipelines(pipelines) or set()
    if found and not any(fold_label(name) in taken for name in found):
        raise CrmFileError(
            f"{filename}: none of its pipelines is taken ({', '.join(pipelines) or 'none chosen'}); "
            f"the file's pipelines are {', '.join(sorted(found))}"
        )


class _Importer:
    """Checks the file's rows, then writes them, a chunk at a time: Core executemany statements and their
    audit entries, so memory stays flat and no ORM object is built per row."""

    def __init__(
        self,
        session: Session,
        parsed: ParsedFile,
        code: str,
        currency: str,
        by: str,
        config: PipelineConfig,
        today: date,
        choices: _Choices,
    ) -> None:
        self.session, self.parsed, self.code, self.currency = session, parsed, code, currency
        self.by, self.today, self.now = by, today, utc_now()
        self.default_source = SOURCES[parsed.format]
        self.new = {"country_code": code, "source": self.default_source, "version": 1}
        self.stamp = {"updated_at": self.now, "updated_by": by}
        self.recorded = {"recorded_at": self.now, "recorded_by": by}
        self.known_stages = ", ".join(s.name for s in config.stages)
        self.existing: dict[tuple[str, str], Row] = {}  # the file's deals already stored, by source and id
        self.warnings: list[RowProblem] = []
        self.skipped: list[Change] = []
        self.config = config
        self.stage_map = {fold_label(label): key for label, key in choices.stages.items()}
        self.pipelines = taken_pipelines(choices.pipelines)
        self.keep_rollout_edits = choices.keep_rollout_edits
        # A file uses a handful of labels; folding every alias for each of its rows was a tenth of the time.
        self.stage_for_label = cache(self._stage_for_label)

    def _stage_for_label(self, label: str) -> Stage | str | None:
        """A label's stage: Rollout's own, else the user's map; SKIP when mapped to skip; None: unknown."""
        stage = self.config.stage_for_label(label)
        if stage is not None:
            return stage
        key = self.stage_map.get(fold_label(label))
        if key is None or key == SKIP:
            return key
        return self.config.stage(key)

    def source(self, row: DealRow) -> str:
        """The source the row's CRM id belongs to: the file's format's, or the one its `crm_source` names."""
        return row.crm_source if row.crm_source in KNOWN_SOURCES else self.default_source

    def _skip_reason(self, row: DealRow) -> str | None:
        if self.pipelines is not None and fold_label(row.pipeline) not in self.pipelines:
            return f"pipeline '{row.pipeline}' is not taken"
        if self.stage_for_label(row.stage) == SKIP:
            return f"stage '{row.stage}' is mapped to skip"
        return None

    def taken_problems(self, problems: Iterable[RowProblem]) -> list[RowProblem]:
        """The parser's problems but those of rows left out by choice (a pipeline not taken, a stage
        mapped to skip): what is wrong in a deal the import does not take refuses nothing; it is skipped."""
        taken: list[RowProblem] = []
        left_out: set[int] = set()
        for problem in problems:
            row = self.parsed.problem_rows.get(problem.data_row)
            if row is None or (reason := self._skip_reason(row)) is None:
                taken.append(problem)
            elif problem.data_row not in left_out:  # one skip per row, however many problems it has
                left_out.add(problem.data_row)
                self.skipped.append(Change(row.crm_id, row.name, "skipped", new=reason))
        return taken

    def _mapped(self, rows: Sequence[DealRow]) -> Iterator[tuple[DealRow, Stage | None, Row | None, dict]]:
        """Each row taken with its stage (None: unknown), its stored deal and the values it describes."""
        for row in rows:
            if self._skip_reason(row) is not None:
                continue
            stage, stored = self.stage_for_label(row.stage), self.existing.get((self.source(row), row.crm_id))
            if not isinstance(stage, Stage):
                yield row, None, stored, {}
                continue
            closed = stage.kind != "open"
            yield (
                row,
                stage,
                stored,
                _values(row, stage.key, row.currency or self.currency, self.today, closed, stored),
            )

    def problems(self, rows: Sequence[DealRow]) -> list[RowProblem]:
        """What is wrong with these rows; problems name the row, line and the file's column. Their stored
        deals are kept for `write`: read again after its first writes, PostgreSQL would plan the query
        for the table as it was analysed (empty, say) and scan it whole for every chunk."""
        self.existing.update(_existing(self.session, rows))
        found: list[RowProblem] = []
        for row in rows:
            reason = self._skip_reason(row)
            if reason is not None:
                self.skipped.append(Change(row.crm_id, row.name, "skipped", new=reason))
        for row, stage, stored, values in self._mapped(rows):

            def problem(field: str, text: str, row: DealRow = row) -> None:
                found.append(RowProblem(row.data_row, row.line, _header(self.parsed, field), text))

            if row.crm_source and row.crm_source not in KNOWN_SOURCES:
                problem("crm_source", f"'{row.crm_source}' is not a source ({', '.join(KNOWN_SOURCES)})")
            if stage is None:
                problem(
                    "stage",
                    f"'{row.stage}' is not a known stage ({self.known_stages}): map it to one of them, "
                    "or skip its deals",
                )
                continue
            if values["created_on"] > self.today:
                problem("created_on", f"{values['created_on'].isoformat()} is in the future")
            closed_on, crm_closed_on = values["closed_on"], values["crm_closed_on"]
            if crm_closed_on and crm_closed_on > self.today:
                self.warnings.append(
                    RowProblem(
                        row.data_row,
                        row.line,
                        _header(self.parsed, "closed_on"),
                        f"a {stage.name.lower()} deal closing on {crm_closed_on.isoformat()}, in the future: "
                        f"counted as closed on {closed_on.isoformat()}, its CRM close date kept",
                    )
                )
            if closed_on and closed_on < values["created_on"]:
                problem("closed_on", "is before the deal was created")
            if stored is not None and stored.country_code != self.code:
                problem("crm_id", f"deal {row.crm_id} belongs to {stored.country_code}, not {self.code}")
        return found

    def write(self, rows: Sequence[DealRow], outcome: ImportOutcome, dry_run: bool) -> None:
        """Create the new deals, update the changed ones (a new version each), with their audit entries
        and stage history. Unchanged deals are not touched, so a re-import leaves no trace."""
        created, updated, replaced = self._sorted(rows, outcome)
        if dry_run:
            return
        try:
            bulk.insert_rows(self.session, OPPORTUNITY, created, new_ids=True)
        except IntegrityError as error:  # a deal of this file was added in the app since it was checked
            raise Conflict(
                "Some deals of this file were added by someone else while it was imported. Nothing was "
                "imported: import the file again to update them."
            ) from error
        audit.record_rows(self.session, OPPORTUNITY, "create", created, self.code)
        _update(self.session, updated)
        audit.record_rows(self.session, OPPORTUNITY, "update", updated, self.code, old_rows=replaced)
        # A new deal entered its stage when created (or closed); a deal this import moved, today.
        entered = [(d, d["closed_on"] or d["created_on"]) for d in created]
        moved = [d for d, old in zip(updated, replaced, strict=True) if d["stage"] != old["stage"]]
        entered += [(d, d["closed_on"] or self.today) for d in moved]
        changes = [
            {"opportunity_id": d["id"], "stage": d["stage"], "entered_on": on} | self.recorded
            for d, on in entered
        ]
        bulk.insert_rows(self.session, STAGE_CHANGE, changes, new_ids=True)
        audit.record_rows(self.session, STAGE_CHANGE, "create", changes, self.code)

    def _sorted(
        self, rows: Sequence[DealRow], outcome: ImportOutcome
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[RowMapping]]:
        """(new deals, whole; changed deals, whole, with their stored rows), counted in `outcome`."""
        created, updated, replaced = [], [], []
        changes = outcome.changes
        mapped = list(self._mapped(rows))
        edited = _edited_in_rollout(
            self.session, [stored.id for _, _, stored, _ in mapped if stored is not None]
        )
        for row, _stage, stored, values in mapped:
            if stored is None:
                source = {"source": self.source(row), "crm_id": row.crm_id}
                created.append(self.new | source | values | self.stamp)
                changes.append(Change(row.crm_id, row.name, "created"))
                continue
            old = stored._mapping
            for k in edited.get(stored.id, set()) & values.keys():
                if old[k] != values[k]:
                    outcome.conflicts.append(
                        Change(row.crm_id, row.name, "conflict", k, _shown(old[k]), _shown(values[k]))
                    )
                    if self.keep_rollout_edits:
                        values[k] = old[k]
            changed = [(k, old[k], v) for k, v in values.items() if old[k] != v]
            if changed:
                updated.append({"id": stored.id} | values | self.stamp | {"version": stored.version + 1})
                replaced.append(old)
                changes += [
                    Change(row.crm_id, row.name, "updated", k, _shown(was), _shown(now))
                    for k, was, now in changed
                ]
            else:
                outcome.unchanged += 1
        outcome.created += len(created)
        outcome.updated += len(updated)
        return created, updated, replaced


def _edited_in_rollout(session: Session, deal_ids: list[int]) -> dict[int, set[str]]:
    """The fields of these deals changed in Rollout (the app, the CLI) since each deal's last import, from
    the audit trail: an import's own update sets the deal's fields to the CRM's again."""
    edited: dict[int, set[str]] = {}
    dialect = session.connection().dialect.name
    for start in range(0, len(deal_ids), 1000):
        keys = _one_of(dialect, [str(deal_id) for deal_id in deal_ids[start : start + 1000]])
        query = (
            select(AuditEntry.record_key, AuditEntry.source, AuditEntry.changes)
            .where(AuditEntry.table_name == "opportunity", AuditEntry.action == "update")
            .where(col(AuditEntry.record_key).in_(keys))
            .order_by(col(AuditEntry.id))
        )
        for key, source, fields in session.exec(query):
            if source in ("import", "demo"):
                edited.get(int(key), set()).difference_update(fields)
            else:
                edited.setdefault(int(key), set()).update(fields)
    return edited


def _shown(value: Any) -> str:
    """A field's value in the change list: dates as ISO dates, amounts with their cents, nothing as ""."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _update(session: Session, rows: list[dict[str, Any]]) -> None:
    """Update deals by id in one executemany. Every row sets the same columns (executemany needs that):
    all compared ones, so a column that did not change is set to its own value."""
    if not rows:
        return
    table = OPPORTUNITY
    statement = update(table).where(table.c.id == bindparam("deal_id"))
    # The key under its own name: a row's "id" would be SET too.
    values = [{"deal_id": row["id"]} | {k: v for k, v in row.items() if k != "id"} for row in rows]
    session.connection().execute(statement, values)
    # Deals the caller's session already holds are stale now: read them again on their next use.
    ids = {row["id"] for row in rows}
    for held in list(session.identity_map.values()):
        if isinstance(held, Opportunity) and held.id in ids:
            session.expire(held)


def export_deals_csv(session: Session, code: str) -> bytes:
    country = get_country(session, code)
    query = select(Opportunity).where(Opportunity.country_code == country.code).order_by(col(Opportunity.id))
    rows = ([_exported(o, f) for f in EXPORT_FIELDS] for o in session.exec(query))
    return csv_bytes(EXPORT_FIELDS, rows)


def _exported(deal: Opportunity, field: str) -> Any:
    """A deal's field as its CRM gave it (a close date dated ahead, not the day it counts as closed), so
    the export imports back unchanged."""
    if field == "closed_on":
        return deal.crm_closed_on or deal.closed_on
    if field == "crm_source":
        return deal.source
    return getattr(deal, field)


def _is_admin(session: Session, email: str) -> bool:
    user = principal(session, email)
    return user is not None and user.role == Role.ADMIN


def saved_mappings(session: Session) -> dict[str, dict[str, str]]:
    return {m.name: m.columns for m in saved_choices(session).values()}


def saved_choices(session: Session) -> dict[str, ImportMapping]:
    """Every saved mapping by name, with its layout, stage map and pipelines."""
    found = session.exec(select(ImportMapping).order_by(ImportMapping.name)).all()
    for mapping in found:
        session.expunge(mapping)
    return {mapping.name: mapping for mapping in found}


def save_mapping(
    session: Session,
    *,
    name: str,
    columns: dict[str, str],
    by: str,
    format: str = "mapped",
    stages: Mapping[str, str] | None = None,
    pipelines: Iterable[str] | None = None,
) -> None:
    """Save a column mapping under a name, for the next file of that layout, with the stage map and the
    pipelines taken; for a HubSpot or Salesforce export (`format`), only those.

    Every salesperson may start from any saved mapping, but a mapping belongs to whoever saved it: only
    they, or an admin, may save over it (others save theirs under another name, so nobody's next import
    silently maps columns differently). An admin's save makes it theirs, e.g. when its author has left.
    """
    by = authorize(session, by, Action.LOG_PIPELINE)
    name = name.strip()[:100]
    if not name:
        raise RolloutError("mapping name: required, to find it next time")
    mapping = locked(session, ImportMapping, name) or ImportMapping(
        name=name, version=0, updated_at=utc_now(), updated_by=by
    )
    if mapping.version and mapping.updated_by != by and not _is_admin(session, by):
        raise PermissionDenied(
            f"mapping name: '{name}' is {mapping.updated_by}'s mapping, so only they or an admin may save "
            "over it: save yours under another name. Nothing was changed."
        )
    mapping.columns = dict(columns) if format == "mapped" else {}
    mapping.format = format
    mapping.stages = check_stage_map(dict(stages or {}), load_pipeline_config())
    mapping.pipelines = None if pipelines is None else list(pipelines)
    touch(mapping, by)
    session.add(mapping)
    session.flush()
