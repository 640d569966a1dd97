"""Sales signals and opportunities: logging, editing, stage history, and the gate metrics they feed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from rollout.platform.access import Action, authorize
from rollout.platform.config_files import (
    ConfigFileError,
    data_file,
    read_text,
    reject_unknown_keys,
    require_key,
)
from rollout.platform.countries import get_country
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.locking import locked, require_version, touch
from rollout.platform.models import Opportunity, Signal, StageChange, stored_id, utc_now
from rollout.sales.crm_files import FIELDS as DEAL_FIELDS
from rollout.sales.money import CENT, require_currency

PIPELINE_FILE = data_file("pipeline.toml")


class StageKind(StrEnum):
    """Whether an opportunity in a stage is still open, won or lost."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


STAGE_KINDS = tuple(StageKind)
SEGMENTS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}
REQUESTERS = ("prospect", "partner")


class PipelineConfigError(ConfigFileError):
    pass


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    kind: str  # open, won or lost
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class PipelineConfig:
    stages: tuple[Stage, ...]
    signal_kinds: dict[str, str]  # key -> name

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def keys_of_kind(self, kind: str) -> list[str]:
        return [stage.key for stage in self.stages if stage.kind == kind]

    def stage_for_label(self, label: str) -> Stage | None:
        """The stage a CRM label (or our own key or name) stands for."""
        wanted = fold_label(label)
        for stage in self.stages:
            if wanted in {fold_label(stage.key), fold_label(stage.name), *map(fold_label, stage.aliases)}:
                return stage
        return None


def fold_label(label: str) -> str:
    """A label as compared: "Closed Won", "closed_won" and "closedwon" are one."""
    return re.sub(r"[\W_]+", "", label).casefold()


def parse_pipeline_config(text: str, source: str) -> PipelineConfig:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PipelineConfigError(f"{source}: {error}") from error
    stages = []
    for index, entry in enumerate(raw.get("stages", [])):
        where = f"{source}: stages[{index}]"
        reject_unknown_keys(entry, {"key", "name", "kind", "aliases"}, where, PipelineConfigError)
        kind = require_key(entry, "kind", str, where, PipelineConfigError)
        if kind not in STAGE_KINDS:
            raise PipelineConfigError(f"{where}: 'kind' must be one of {', '.join(STAGE_KINDS)}")
        stages.append(
            Stage(
                key=require_key(entry, "key", str, where, PipelineConfigError),
                name=require_key(entry, "name", str, where, PipelineConfigError),
                kind=kind,
                aliases=tuple(entry.get("aliases", [])),
            )
        )
    for kind in STAGE_KINDS:
        if not any(stage.kind == kind for stage in stages):
            raise PipelineConfigError(f"{source}: needs at least one stage of kind '{kind}'")
    kinds = {
        require_key(entry, "key", str, f"{source}: signal_kinds[{i}]", PipelineConfigError): require_key(
            entry, "name", str, f"{source}: signal_kinds[{i}]", PipelineConfigError
        )
        for i, entry in enumerate(raw.get("signal_kinds", []))
    }
    for required in ("meeting", "content_request"):
        if required not in kinds:
            raise PipelineConfigError(
                f"{source}: signal kind '{required}' is required (gates and content use it)"
            )
    return PipelineConfig(stages=tuple(stages), signal_kinds=kinds)


@cache
def load_pipeline_config(path: Path = PIPELINE_FILE) -> PipelineConfig:
    return parse_pipeline_config(read_text(path, PipelineConfigError), str(path))


# --- signals -------------------------------------------------------------------------------------


def log_signal(
    session: Session,
    *,
    code: str,
    kind: str,
    occurred_on: date,
    by: str,
    qualified: bool = False,
    account: str = "",
    content_title: str = "",
    requested_by: str = "",
    note: str = "",
    today: date | None = None,
    config: PipelineConfig | None = None,
) -> Signal:
    config = config or load_pipeline_config()
    country = get_country(session, code)
    by = authorize(session, by, Action.LOG_PIPELINE, country.code)
    signal = Signal(
        country_code=country.code, kind=kind, occurred_on=occurred_on, logged_at=utc_now(), logged_by=by
    )
    values = dict(
        qualified=qualified,
        account=account,
        content_title=content_title,
        requested_by=requested_by,
        note=note,
    )
    _set_signal(signal, values, today or date.today(), config)
    session.add(signal)
    session.flush()
    return signal


SIGNAL_FIELDS = ("kind", "occurred_on", "qualified", "account", "content_title", "requested_by", "note")


def _set_signal(signal: Signal, values: dict[str, Any], today: date, config: PipelineConfig) -> None:
    """Check `values` (signal fields) and set them on `signal`, which then reads as a consistent entry:
    only meetings are qualified, only content requests name a piece and who asked for it."""
    unknown = set(values) - set(SIGNAL_FIELDS)
    if unknown:
        raise RolloutError(f"signal: no field {', '.join(sorted(unknown))}")
    for field, value in values.items():
        setattr(signal, field, value.strip() if isinstance(value, str) else value)
    if signal.kind not in config.signal_kinds:
        raise RolloutError(f"kind: '{signal.kind}' is not one of {', '.join(config.signal_kinds)}")
    if signal.occurred_on > today:
        raise RolloutError(f"date: {signal.occurred_on.isoformat()} is in the future")
    requesting = signal.kind == "content_request"
    if requesting and not signal.content_title:
        raise RolloutError("content: say which piece was requested (e.g. 'Case study: retail')")
    if signal.requested_by and signal.requested_by not in REQUESTERS:
        raise RolloutError(f"requested by: must be prospect or partner, not '{signal.requested_by}'")
    signal.qualified = bool(signal.qualified) and signal.kind == "meeting"
    if not requesting:
        signal.content_title, signal.requested_by = "", ""


def _stored_signal(session: Session, signal_id: int, by: str) -> tuple[Signal, str]:
    """The signal, locked, and the acting user, who must log signals in its country."""
    signal = locked(session, Signal, signal_id)
    if signal is None:
        raise NotFound(f"signal #{signal_id} does not exist (it may have been removed)")
    return signal, authorize(session, by, Action.LOG_PIPELINE, signal.country_code)


def update_signal(
    session: Session,
    *,
    signal_id: int,
    by: str,
    expected_version: int | None = None,
    today: date | None = None,
    config: PipelineConfig | None = None,
    **changes: Any,
) -> Signal:
    """Correct a logged signal: only the fields given change (see SIGNAL_FIELDS)."""
    signal, by = _stored_signal(session, signal_id, by)
    require_version(signal, expected_version, f"signal #{signal_id}")
    _set_signal(signal, changes, today or date.today(), config or load_pipeline_config())
    touch(signal, by)
    session.add(signal)
    session.flush()
    return signal


def remove_signal(
    session: Session, *, signal_id: int, by: str, expected_version: int | None = None
) -> Signal:
    """Remove a signal logged by mistake; the trail keeps every one of its values."""
    signal, _by = _stored_signal(session, signal_id, by)
    require_version(signal, expected_version, f"signal #{signal_id}")
    session.delete(signal)
    session.flush()
    return signal


def recent_signals(session: Session, code: str, limit: int = 200) -> list[Signal]:
    query = (
        select(Signal)
        .where(Signal.country_code == code)
        .order_by(col(Signal.occurred_on).desc(), col(Signal.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


# --- opportunities -------------------------------------------------------------------------------

# Every deal field but its CRM id, which identifies it across imports.
EDITABLE = tuple(field for field in DEAL_FIELDS if field != "crm_id")


class FieldError(RolloutError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise FieldError("amount", f"'{value}' is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise FieldError("amount", f"must be zero or more, not {value}")
    return amount


def _date(value: Any, field: str, required: bool = False) -> date | None:
    if value in (None, "") or (not isinstance(value, date | str) and value != value):  # None, "" or NaN
        if required:
            raise FieldError(field, "required")
        return None
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value  # datetime and pandas Timestamp
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FieldError(field, f"'{value}' is not a YYYY-MM-DD date") from None


def clean_opportunity(values: dict[str, Any], config: PipelineConfig) -> dict[str, Any]:
    """Validated, normalised opportunity fields; FieldError names the first bad field."""
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field not in EDITABLE:
            raise FieldError(field, "cannot be edited")
        if field == "account":
            if not str(value or "").strip():
                raise FieldError("account", "required")
            cleaned[field] = str(value).strip()[:200]
        elif field == "amount":
            cleaned[field] = _amount(value)
        elif field == "currency":
            try:
                cleaned[field] = require_currency(str(value or ""), "currency")
            except RolloutError as error:
                raise FieldError("currency", str(error).split(": ", 1)[1]) from None
        elif field == "stage":
            stage = config.stage_for_label(str(value or ""))
            if stage is None:
                raise FieldError(
                    "stage", f"'{value}' is not a stage ({', '.join(s.name for s in config.stages)})"
                )
            cleaned[field] = stage.key
        elif field in ("created_on", "expected_close", "closed_on"):
            cleaned[field] = _date(value, field, required=field == "created_on")
        elif field == "segment":
            labels = {label: key for key, label in SEGMENTS.items()}
            if value in (None, ""):
                cleaned[field] = None
            elif value in SEGMENTS or value in labels:
                cleaned[field] = labels.get(value, value)
            else:
                raise FieldError("segment", f"'{value}' is not one of {', '.join(SEGMENTS)}")
        elif field == "name":
            cleaned[field] = str(value or "").strip()[:200]
        else:
            cleaned[field] = str(value or "").strip()
    return cleaned


def _check_dates(opportunity: Opportunity, config: PipelineConfig, today: date) -> None:
    if opportunity.created_on > today:
        raise FieldError("created_on", f"{opportunity.created_on.isoformat()} is in the future")
    closed = config.stage(opportunity.stage).kind != "open"
    if closed and opportunity.closed_on is None:
        opportunity.closed_on = today
    if not closed:
        opportunity.closed_on = opportunity.crm_closed_on = None
    if opportunity.closed_on and opportunity.closed_on < opportunity.created_on:
        raise FieldError("closed_on", "is before the opportunity was created")
    if opportunity.closed_on and opportunity.closed_on > today:
        raise FieldError("closed_on", f"{opportunity.closed_on.isoformat()} is in the future")


def _record_stage(session: Session, opportunity: Opportunity, on: date, by: str) -> None:
    session.add(
        StageChange(
            opportunity_id=stored_id(opportunity),
            stage=opportunity.stage,
            entered_on=on,
            recorded_at=utc_now(),
            recorded_by=by,
        )
    )


def create_opportunity(
    session: Session,
    *,
    code: str,
    values: dict[str, Any],
    by: str,
    source: str = "manual",
    crm_id: str | None = None,
    today: date | None = None,
    config: PipelineConfig | None = None,
) -> Opportunity:
    config, today = config or load_pipeline_config(), today or date.today()
    country = get_country(session, code)
    by = authorize(session, by, Action.LOG_PIPELINE, country.code)
    values = {"currency": country.currency, "created_on": today, "stage": config.stages[0].key} | values
    for required in ("account", "amount"):
        if values.get(required) in (None, ""):
            raise FieldError(required, "required")
    opportunity = Opportunity(
        country_code=country.code,
        source=source,
        crm_id=crm_id,
        updated_at=utc_now(),
        updated_by=by,
        **clean_opportunity(values, config),
    )
    _check_dates(opportunity, config, today)
    session.add(opportunity)
    session.flush()
    opportunity.crm_id = opportunity.crm_id or f"rollout-{opportunity.id}"
    _record_stage(session, opportunity, opportunity.closed_on or opportunity.created_on, by)
    return opportunity


def update_opportunity(
    session: Session,
    *,
    opportunity_id: int,
    changes: dict[str, Any],
    by: str,
    expected_version: int | None = None,
    today: date | None = None,
    config: PipelineConfig | None = None,
) -> tuple[Opportunity, bool]:
    """Apply `changes`; returns the opportunity and whether anything changed. A stage change is kept
    in the stage history."""
    config, today = config or load_pipeline_config(), today or date.today()
    opportunity = locked(session, Opportunity, opportunity_id)
    if opportunity is None:
        raise NotFound(f"opportunity #{opportunity_id} does not exist")
    by = authorize(session, by, Action.LOG_PIPELINE, opportunity.country_code)
    require_version(opportunity, expected_version, f"the deal with {opportunity.account}")
    cleaned = clean_opportunity(changes, config)
    changed = {k: v for k, v in cleaned.items() if getattr(opportunity, k) != v}
    if not changed:
        return opportunity, False
    for field, value in changed.items():
        setattr(opportunity, field, value)
    if "stage" in changed and "closed_on" not in changed and config.stage(opportunity.stage).kind != "open":
        opportunity.closed_on = today
    _check_dates(opportunity, config, today)
    touch(opportunity, by)
    session.add(opportunity)
    if "stage" in changed:
        _record_stage(session, opportunity, opportunity.closed_on or today, by)
    session.flush()
    return opportunity, True


def _matching(code: str, search: str) -> SelectOfScalar[Opportunity]:
    """The market's deals whose name, account or CRM id contains `search` (any case; % and _ are literal)."""
    query = select(Opportunity).where(Opportunity.country_code == code)
    if search.strip():
        wanted = search.strip()
        query = query.where(
            col(Opportunity.account).icontains(wanted, autoescape=True)
            | col(Opportunity.name).icontains(wanted, autoescape=True)
            | col(Opportunity.crm_id).icontains(wanted, autoescape=True)
        )
    return query


def opportunities(
    session: Session, code: str, *, search: str = "", limit: int | None = None, offset: int = 0
) -> list[Opportunity]:
    """The market's deals, newest first; `limit` and `offset` give one page of them."""
    query = _matching(code, search).order_by(col(Opportunity.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query))


def count_opportunities(session: Session, code: str, *, search: str = "") -> int:
    return session.exec(select(func.count()).select_from(_matching(code, search).subquery())).one()


# --- table edits (st.data_editor) ----------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: str
    field: str
    message: str


class TableEditError(RolloutError):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__("; ".join(f"{e.row}, {e.message}" for e in errors))
        self.errors = errors


def apply_table_edits(
    session: Session,
    *,
    code: str,
    row_ids: list[int],
    edited_rows: dict[int | str, dict[str, Any]],
    added_rows: list[dict[str, Any]],
    by: str,
    opened_versions: dict[int, int] | None = None,
    today: date | None = None,
    config: PipelineConfig | None = None,
) -> tuple[int, int]:
    """Turn a data editor's edits into writes, by primary key: `row_ids[i]` is the id shown in row i.
    `opened_versions` (id -> version when the table was shown) refuses edits to deals changed since.

    Every bad cell is reported (TableEditError) and then nothing is written, since the caller's
    transaction rolls back. Returns (updated, created).
    """
    errors: list[CellError] = []
    updated = created = 0
    for position, changes in edited_rows.items():
        opportunity_id = row_ids[int(position)]
        existing = session.get(Opportunity, opportunity_id)
        if existing is None or existing.country_code != code:
            errors.append(CellError(f"#{opportunity_id}", "id", f"#{opportunity_id}: not a deal of {code}"))
            continue
        try:
            _, changed = update_opportunity(
                session,
                opportunity_id=opportunity_id,
                changes=changes,
                by=by,
                expected_version=(opened_versions or {}).get(opportunity_id),
                today=today,
                config=config,
            )
            updated += changed
        except FieldError as error:
            errors.append(CellError(f"#{opportunity_id}", error.field, str(error)))
    for number, values in enumerate(added_rows, start=1):
        filled = {k: v for k, v in values.items() if k in EDITABLE and v not in (None, "")}
        try:
            create_opportunity(session, code=code, values=filled, by=by, today=today, config=config)
            created += 1
        except FieldError as error:
            errors.append(CellError(f"new row {number}", error.field, str(error)))
    if errors:
        raise TableEditError(errors)
    return updated, created
