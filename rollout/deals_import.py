"""Importing a CRM's deals for a country (idempotent by CRM id) and exporting them back as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from rollout.countries import get_country
from rollout.crm_files import FIELDS, DealRow, ParsedFile, RowProblem, parse_deals
from rollout.errors import RolloutError, require_actor
from rollout.exports import csv_bytes
from rollout.models import ImportMapping, Opportunity, StageChange, utc_now
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

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {self.rejected}"
        )


def _values(row: DealRow, stage: str, currency: str, today: date, closed: bool) -> dict[str, Any]:
    closed_on = (row.closed_on or row.expected_close or today) if closed else None
    return {
        "account": row.account[:200],
        "amount": row.amount,
        "currency": currency,
        "stage": stage,
        "created_on": row.created_on or min(today, closed_on or today),
        "expected_close": row.expected_close,
        "closed_on": closed_on,
        "owner": row.owner,
        "segment": row.segment,
        "lost_reason": row.lost_reason,
    }


def _check_rows(
    parsed: ParsedFile,
    code: str,
    currency: str,
    existing: dict[str, Opportunity],
    config: PipelineConfig,
    today: date,
) -> tuple[list[tuple[DealRow, dict[str, Any]]], list[RowProblem]]:
    """Map each row to opportunity values; problems name the row, line and column."""
    mapped, problems = [], []
    for row in parsed.rows:

        def problem(column: str, text: str, row: DealRow = row) -> None:
            problems.append(RowProblem(row.data_row, row.line, column, text))

        stage = config.stage_for_label(row.stage)
        if stage is None:
            problem(
                "stage", f"'{row.stage}' is not a known stage: add it to the aliases in data/pipeline.toml"
            )
            continue
        values = _values(row, stage.key, row.currency or currency, today, stage.kind != "open")
        if values["created_on"] > today:
            problem("created_on", f"{values['created_on'].isoformat()} is in the future")
        if values["closed_on"] and values["closed_on"] > today:
            problem(
                "closed_on",
                f"a {stage.name.lower()} deal closing on {values['closed_on'].isoformat()} is in the future",
            )
        if values["closed_on"] and values["closed_on"] < values["created_on"]:
            problem("closed_on", "is before the deal was created")
        other = existing.get(row.crm_id)
        if other is not None and other.country_code != code:
            problem("crm_id", f"deal {row.crm_id} belongs to {other.country_code}, not {code}")
        mapped.append((row, values))
    return mapped, problems


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
    by, today, config = require_actor(by), today or date.today(), config or load_pipeline_config()
    country = get_country(session, code)
    parsed = parse_deals(content, filename, format=format, mapping=mapping)
    outcome = ImportOutcome(format=parsed.format)
    if parsed.problems:
        outcome.problems = list(parsed.problems)
        outcome.rejected = len({p.data_row for p in parsed.problems})
        return outcome
    source = SOURCES[parsed.format]
    existing = _existing(session, [row.crm_id for row in parsed.rows])
    mapped, problems = _check_rows(parsed, country.code, country.currency, existing, config, today)
    if problems:
        outcome.problems, outcome.rejected = problems, len({p.data_row for p in problems})
        return outcome
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
    by = require_actor(by)
    name = name.strip()[:100]
    if not name:
        raise RolloutError("mapping name: required, to find it next time")
    mapping = session.get(ImportMapping, name) or ImportMapping(name=name)
    mapping.columns, mapping.updated_at, mapping.updated_by = dict(columns), utc_now(), by
    session.add(mapping)
    session.flush()
