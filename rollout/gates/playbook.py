"""The playbook: phases, their durations and the criteria of the gate that ends each one.

Read from a TOML file in rollout/data/ so that leadership can tune it without touching code. Every error
names the file and the key (or line) at fault.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from rollout.platform import settings
from rollout.platform.config_files import (
    ConfigFileError,
    data_file,
    read_text,
    reject_duplicate_keys,
    reject_unknown_keys,
    require_key,
)

ESTABLISHED = "established"
EXITED = "exited"
TERMINAL_STATES = (ESTABLISHED, EXITED)

DEFAULT_PLAYBOOK = data_file("playbook.toml")

CriterionKind = Literal["metric", "check"]
PLAYBOOK_KEYS = {
    "phases",
    "reporting_currency",
    "at_risk_ratio",
    "default_extension_months",
    "min_share_to_project",
    "reviews",
    "candidates",
}
REVIEW_KEYS = {"chair_roles", "quorum"}
ROLE_NAMES = ("leadership", "marketer", "sales", "admin")
PHASE_KEYS = {"key", "name", "months", "description", "gate"}
CRITERION_KEYS = {"key", "name", "kind", "metric", "threshold", "unit", "description"}
UNITS = ("count", "currency", "share")


class PlaybookError(ConfigFileError):
    """The playbook file cannot be used."""


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    kind: CriterionKind
    metric: str | None = None
    threshold: float | None = None
    unit: str = "count"
    description: str = ""


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    months: int
    description: str
    gate_name: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class ReviewRules:
    """Gate review meetings: the roles whose members may chair one, and how many gatekeepers'
    recommendations a market needs before its chair may record the decision (0: none)."""

    chair_roles: tuple[str, ...] = ("leadership", "admin")
    quorum: int = 0


@dataclass(frozen=True)
class CandidateCriterion:
    """A criterion candidate markets are scored on, 1 to 5, and its weight in their ranking."""

    key: str
    name: str
    weight: float


DEFAULT_CANDIDATE_CRITERIA = (
    CandidateCriterion("market_size", "Market size", 3),
    CandidateCriterion("competition", "Room against competitors (5: little competition)", 2),
    CandidateCriterion("language_overlap", "Language overlap with headquarters", 2),
    CandidateCriterion("time_zone_overlap", "Time-zone overlap with headquarters", 1),
    CandidateCriterion("partners", "Partners already there", 2),
)


@dataclass(frozen=True)
class Playbook:
    phases: tuple[Phase, ...]
    reporting_currency: str = "EUR"
    at_risk_ratio: float = 0.8
    default_extension_months: int = 3
    # Below this share of a phase's time, a pace is too short to project: the forecast is "too early".
    min_share_to_project: float = 0.0
    reviews: ReviewRules = field(default_factory=ReviewRules)
    candidate_criteria: tuple[CandidateCriterion, ...] = DEFAULT_CANDIDATE_CRITERIA
    source: str = ""

    def phase(self, key: str) -> Phase:
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(key)

    def next_phase_key(self, key: str) -> str:
        """The phase a Go decision leads to; after the last phase the country is established."""
        keys = [phase.key for phase in self.phases]
        position = keys.index(key)
        return keys[position + 1] if position + 1 < len(keys) else ESTABLISHED

    @property
    def first_phase_key(self) -> str:
        return self.phases[0].key

    def is_phase(self, key: str) -> bool:
        return any(phase.key == key for phase in self.phases)

    def state_name(self, key: str) -> str:
        if self.is_phase(key):
            return self.phase(key).name
        return key.capitalize()


def _parse_criterion(raw: dict[str, Any], where: str) -> Criterion:
    key = require_key(raw, "key", str, where, PlaybookError)
    reject_unknown_keys(raw, CRITERION_KEYS, f"{where} criterion '{key}'", PlaybookError)
    where = f"{where} criterion '{key}'"
    kind = require_key(raw, "kind", str, where, PlaybookError)
    if kind not in ("metric", "check"):
        raise PlaybookError(f"{where}: 'kind' must be 'metric' or 'check', not {kind!r}")
    metric = threshold = None
    if kind == "metric":
        metric = require_key(raw, "metric", str, where, PlaybookError)
        threshold = require_key(raw, "threshold", float, where, PlaybookError)
        if threshold < 0:
            raise PlaybookError(f"{where}: 'threshold' must not be negative")
    unit = raw.get("unit", "count")
    if unit not in UNITS:
        raise PlaybookError(f"{where}: 'unit' must be one of {', '.join(UNITS)}, not {unit!r}")
    return Criterion(
        key=key,
        name=require_key(raw, "name", str, where, PlaybookError),
        kind=kind,
        metric=metric,
        threshold=threshold,
        unit=unit,
        description=raw.get("description", ""),
    )


def _parse_phase(raw: dict[str, Any], index: int, source: str) -> Phase:
    where = f"{source}: phases[{index}]"
    key = require_key(raw, "key", str, where, PlaybookError)
    reject_unknown_keys(raw, PHASE_KEYS, f"{source}: phase '{key}'", PlaybookError)
    if key in TERMINAL_STATES:
        raise PlaybookError(f"{where}: '{key}' is reserved for the state after the last phase")
    where = f"{source}: phase '{key}'"
    months = require_key(raw, "months", int, where, PlaybookError)
    if months < 1:
        raise PlaybookError(f"{where}: 'months' must be at least 1, not {months}")
    gate = require_key(raw, "gate", dict, where, PlaybookError)
    reject_unknown_keys(gate, {"name", "criteria"}, f"{where} gate", PlaybookError)
    raw_criteria = gate.get("criteria", [])
    if not raw_criteria:
        raise PlaybookError(f"{where}: the gate needs at least one criterion")
    criteria = tuple(_parse_criterion(c, f"{where}") for c in raw_criteria)
    reject_duplicate_keys([c.key for c in criteria], f"{where}: criterion", PlaybookError)
    return Phase(
        key=key,
        name=require_key(raw, "name", str, where, PlaybookError),
        months=months,
        description=raw.get("description", ""),
        gate_name=require_key(gate, "name", str, f"{where} gate", PlaybookError),
        criteria=criteria,
    )


def parse_playbook(text: str, source: str = "<playbook>") -> Playbook:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PlaybookError(f"{source}: {error}") from error
    reject_unknown_keys(raw, PLAYBOOK_KEYS, source, PlaybookError)
    raw_phases = raw.get("phases")
    if not raw_phases:
        raise PlaybookError(f"{source}: no [[phases]] defined")
    phases = tuple(_parse_phase(p, i, source) for i, p in enumerate(raw_phases))
    reject_duplicate_keys([p.key for p in phases], f"{source}: phase", PlaybookError)
    at_risk_ratio = float(raw.get("at_risk_ratio", 0.8))
    if not 0 < at_risk_ratio <= 1:
        raise PlaybookError(f"{source}: 'at_risk_ratio' must be between 0 and 1")
    extension = raw.get("default_extension_months", 3)
    if not isinstance(extension, int) or extension < 1:
        raise PlaybookError(f"{source}: 'default_extension_months' must be a whole number ≥ 1")
    min_share = raw.get("min_share_to_project", 0.0)
    if not isinstance(min_share, int | float) or not 0 <= min_share < 1:
        raise PlaybookError(f"{source}: 'min_share_to_project' must be a number from 0 to below 1")
    return Playbook(
        phases=phases,
        min_share_to_project=float(min_share),
        reviews=_parse_reviews(raw.get("reviews", {}), source),
        candidate_criteria=_parse_candidates(raw.get("candidates"), source),
        reporting_currency=str(raw.get("reporting_currency", "EUR")),
        at_risk_ratio=at_risk_ratio,
        default_extension_months=extension,
        source=source,
    )


def _parse_reviews(raw: Any, source: str) -> ReviewRules:
    where = f"{source}: [reviews]"
    if not isinstance(raw, dict):
        raise PlaybookError(f"{where} must be a table")
    reject_unknown_keys(raw, REVIEW_KEYS, where, PlaybookError)
    roles = raw.get("chair_roles", list(ReviewRules.chair_roles))
    if not isinstance(roles, list) or not roles or any(role not in ROLE_NAMES for role in roles):
        raise PlaybookError(f"{where}: 'chair_roles' must list one or more of {', '.join(ROLE_NAMES)}")
    quorum = raw.get("quorum", 0)
    if not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 0:
        raise PlaybookError(f"{where}: 'quorum' must be a whole number ≥ 0, not {quorum!r}")
    return ReviewRules(chair_roles=tuple(roles), quorum=quorum)


def _parse_candidates(raw: Any, source: str) -> tuple[CandidateCriterion, ...]:
    if raw is None:
        return DEFAULT_CANDIDATE_CRITERIA
    where = f"{source}: [candidates]"
    if not isinstance(raw, dict):
        raise PlaybookError(f"{where} must be a table")
    reject_unknown_keys(raw, {"criteria"}, where, PlaybookError)
    criteria = []
    for index, item in enumerate(raw.get("criteria", [])):
        at = f"{where} criteria[{index}]"
        key = require_key(item, "key", str, at, PlaybookError)
        reject_unknown_keys(item, {"key", "name", "weight"}, f"{where} criterion '{key}'", PlaybookError)
        weight = item.get("weight", 1)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            raise PlaybookError(f"{where} criterion '{key}': 'weight' must be a number above 0")
        criteria.append(
            CandidateCriterion(key, require_key(item, "name", str, at, PlaybookError), float(weight))
        )
    if not criteria:
        raise PlaybookError(f"{where}: list at least one [[candidates.criteria]]")
    reject_duplicate_keys([c.key for c in criteria], f"{where}: criterion", PlaybookError)
    return tuple(criteria)


def load_playbook(path: Path | str | None = None) -> Playbook:
    """The playbook at `path`, else ROLLOUT_PLAYBOOK, else rollout/data/playbook.toml."""
    resolved = Path(path or settings.current().playbook or DEFAULT_PLAYBOOK)
    return _load_cached(resolved, resolved.stat().st_mtime_ns if resolved.exists() else 0)


@cache
def _load_cached(path: Path, _mtime: int) -> Playbook:
    text = read_text(path, PlaybookError)
    return parse_playbook(text, source=str(path))
