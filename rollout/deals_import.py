"""Importing a CRM's deals for a country (idempotent by CRM id) and exporting them back as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from rollout import audit
from rollout.access import Action, authorize
from rollout.countries import get_country
from rollout.crm_files import FIELDS, DealRow, ParsedFile, RowProblem, parse_deals
from rollout.errors import RolloutError
from rollout.exports import csv_bytes
from rollout.models import ExchangeRate, ImportMapping, Opportunity, StageChange, utc_now
from rollout.money import EURO
from rollout.pipeline import PipelineConfig, load_pipeline_config

SOURCES = {"hubspot": "hubspot", "salesforce": "salesforce", "mapped": "csv"}
EXPORT_FIELDS = FIELDS  # what an import reads, so an export imports back unchanged
CHUNK = 500  # ids per IN (...) query


@dataclass
class ImportOutcome:
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)  # imported currencies reporting cannot convert

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )


def _values(
    row: DealRow, stage: str, currency: str, today: date, closed: bool, stored: Opportunity | None
) -> dict[str, Any]:
    """The opportunity a row describes. A date the file leaves out keeps what is stored (so re-importing
    the same file changes nothing), else defaults to the close date or today."""
    closed_on = None
    if closed:
        closed_on = row.closed_on or row.expected_close or (stored.closed_on if stored else None) or today
    created_on = row.created_on or (stored.created_on if stored else None) or min(today, closed_on or today)
    return {
        "account": row.account[:200],
        "amount": row.amount,
        "currency": currency,
        "stage": stage,
        "created_on": created_on,
        "expected_close": row.expected_close,
        "closed_on": closed_on,
        "owner": row.owner,
        "segment": row.segment,
        "lost_reason": row.lost_reason,
    }


def _header(parsed: ParsedFile, field: str) -> str:
    """The file's own name for a field; a close date read from the expected-close column is named so."""
    fallback = {"closed_on": "expected_close"}.get(field, field)
    return parsed.field_headers.get(field) or parsed.field_headers.get(fallback) or field


def _check_rows(
    parsed: ParsedFile,
    code: str,
    currency: str,
    existing: dict[str, Opportunity],
    config: PipelineConfig,
    today: date,
) -> tuple[list[tuple[DealRow, dict[str, Any]]], list[RowProblem]]:
    """Map each readable row to opportunity values; problems name the row, line and the file's column."""
    mapped, problems = [], []
    for row in parsed.valid_rows:

        def problem(field: str, text: str, row: DealRow = row) -> None:
            problems.append(RowProblem(row.data_row, row.line, _header(parsed, field), text))

        stage = config.stage_for_label(row.stage)
        if stage is None:
            known = ", ".join(s.name for s in config.stages)
            problem(
                "stage",
                f"'{row.stage}' is not a known stage ({known}; CRM labels are mapped to them in "
                "data/pipeline.toml)",
            )
            continue
        stored = existing.get(row.crm_id)
        values = _values(row, stage.key, row.currency or currency, today, stage.kind != "open", stored)
        if values["created_on"] > today:
            problem("created_on", f"{values['created_on'].isoformat()} is in the future")
        if values["closed_on"] and values["closed_on"] > today:
            problem(
                "closed_on",
                f"a {stage.name.lower()} deal closing on {values['closed_on'].isoformat()} is in the future",
            )
        if values["closed_on"] and values["closed_on"] < values["created_on"]:
            problem("closed_on", "is before the deal was created")
        if stored is not None and stored.country_code != code:
            problem("crm_id", f"deal {row.crm_id} belongs to {stored.country_code}, not {code}")
        mapped.append((row, values))
    return mapped, problems


def _currencies_without_rates(session: Session, currencies: set[str]) -> list[str]:
    known = set(session.exec(select(ExchangeRate.currency).distinct()).all()) | {EURO}
    return sorted(currencies - known)


def _existing(session: Session, crm_ids: list[str]) -> dict[str, Opportunity]:
    found: dict[str, Opportunity] = {}
    for start in range(0, len(crm_ids), CHUNK):
        chunk = crm_ids[start : start + CHUNK]
        query = select(Opportunity).where(col(Opportunity.crm_id).in_(chunk))
        found.update({o.crm_id: o for o in session.exec(query) if o.crm_id})
    return found


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
) -> ImportOutcome:
    """Validate the whole file, then create or update its deals in the caller's transaction.

    Any bad row refuses the file: nothing is written and every problem is listed. CrmFileError is
    raised when the file as a whole cannot be read.
    """
    today, config = today or date.today(), config or load_pipeline_config()
    country = get_country(session, code)
    by = authorize(session, by, Action.LOG_PIPELINE, country.code)
    audit.record_as_import(session)
    parsed = parse_deals(content, filename, format=format, mapping=mapping)
    outcome = ImportOutcome(format=parsed.format)
    existing = _existing(session, [row.crm_id for row in parsed.valid_rows])
    mapped, problems = _check_rows(parsed, country.code, country.currency, existing, config, today)
    # Every problem of the file at once: the parser's and ours, in file order.
    problems = sorted([*parsed.problems, *problems], key=lambda p: (p.data_row, p.column))
    if problems:
        outcome.problems, outcome.rejected = problems, len({p.data_row for p in problems})
        return outcome
    outcome.missing_rates = _currencies_without_rates(session, {values["currency"] for _, values in mapped})
    source = SOURCES[parsed.format]
    _write(session, mapped, existing, country.code, source, by, outcome, dry_run, today)
    return outcome


def _write(
    session: Session,
    mapped: list[tuple[DealRow, dict[str, Any]]],
    existing: dict[str, Opportunity],
    code: str,
    source: str,
    by: str,
    outcome: ImportOutcome,
    dry_run: bool,
    today: date,
) -> None:
    now = utc_now()
    created: list[Opportunity] = []
    moved: list[Opportunity] = []
    for row, values in mapped:
        opportunity = existing.get(row.crm_id)
        if opportunity is None:
            outcome.created += 1
            created.append(
                Opportunity(
                    country_code=code,
                    source=source,
                    crm_id=row.crm_id,
                    updated_at=now,
                    updated_by=by,
                    **values,
                )
            )
            continue
        changed = {k: v for k, v in values.items() if getattr(opportunity, k) != v}
        if not changed:
            outcome.unchanged += 1
            continue
        outcome.updated += 1
        if dry_run:
            continue
        for key, value in changed.items():
            setattr(opportunity, key, value)
        opportunity.updated_at, opportunity.updated_by = now, by
        if "stage" in changed:
            moved.append(opportunity)
    if dry_run:
        return
    session.add_all(created)
    session.flush()
    # A new deal entered its stage when created (or closed); a deal this import moved, today.
    entered = [(o, o.closed_on or o.created_on) for o in created] + [(o, o.closed_on or today) for o in moved]
    session.add_all(
        StageChange(opportunity_id=o.id, stage=o.stage, entered_on=on, recorded_at=now, recorded_by=by)
        for o, on in entered
    )
    session.flush()


def export_deals_csv(session: Session, code: str) -> bytes:
    country = get_country(session, code)
    query = select(Opportunity).where(Opportunity.country_code == country.code).order_by(Opportunity.id)
    rows = ([getattr(o, f) for f in EXPORT_FIELDS] for o in session.exec(query))
    return csv_bytes(EXPORT_FIELDS, rows)


def saved_mappings(session: Session) -> dict[str, dict[str, str]]:
    return {m.name: m.columns for m in session.exec(select(ImportMapping).order_by(ImportMapping.name))}


def save_mapping(session: Session, *, name: str, columns: dict[str, str], by: str) -> None:
    by = authorize(session, by, Action.LOG_PIPELINE)
    name = name.strip()[:100]
    if not name:
        raise RolloutError("mapping name: required, to find it next time")
    mapping = session.get(ImportMapping, name) or ImportMapping(name=name)
    mapping.columns, mapping.updated_at, mapping.updated_by = dict(columns), utc_now(), by
    session.add(mapping)
    session.flush()
