"""Campaign playbooks: the steps of each recurring marketing action, counted in working days from its date.

Read from rollout/data/campaign_playbooks.toml so marketers can tune them without touching code; every error
names the file and the key at fault (as the gate playbook does).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rollout.platform.config_files import (
    ConfigFileError,
    data_file,
    read_text,
    reject_duplicate_keys,
    reject_unknown_keys,
    require_key,
)
from rollout.platform.errors import RolloutError
from rollout.platform.models import CHANNELS

DEFAULT_CAMPAIGN_PLAYBOOKS = data_file("campaign_playbooks.toml")

FILE_KEYS = {"roles", "playbooks"}
PLAYBOOK_KEYS = {"key", "name", "channel", "duration_minutes", "description", "templates", "steps"}
STEP_KEYS = {"key", "name", "offset", "role", "checklist", "notes"}
TEMPLATE_KEYS = {"name", "url"}
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
# A step further than a working year from its campaign is a typo (20 typed as 200), not a plan.
MAX_OFFSET = 250


class CampaignPlaybookError(ConfigFileError):
    """The campaign playbooks file cannot be used."""


@dataclass(frozen=True)
class Template:
    name: str
    url: str


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    offset: int  # working days from the campaign's date: negative before, positive after
    role: str
    checklist: tuple[str, ...]
    notes: str = ""


@dataclass(frozen=True)
class CampaignPlaybook:
    key: str
    name: str
    channel: str
    duration_minutes: int
    description: str  # Markdown
    templates: tuple[Template, ...]
    steps: tuple[Step, ...]  # by offset


@dataclass(frozen=True)
class CampaignPlaybooks:
    roles: tuple[str, ...]
    playbooks: tuple[CampaignPlaybook, ...]
    source: str = ""

    def get(self, key: str) -> CampaignPlaybook:
        for playbook in self.playbooks:
            if playbook.key == key:
                return playbook
        known = ", ".join(p.key for p in self.playbooks)
        raise RolloutError(f"playbook: '{key}' is not in {self.source} (known: {known})")


def _key(raw: dict[str, Any], where: str) -> str:
    key = require_key(raw, "key", str, where, CampaignPlaybookError)
    if not KEY_PATTERN.fullmatch(key):
        raise CampaignPlaybookError(f"{where}: key '{key}' must be lower-case letters, digits and _")
    return key


def _text_list(raw: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    values = require_key(raw, name, list, where, CampaignPlaybookError)
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise CampaignPlaybookError(f"{where}: '{name}' must be a non-empty list of texts")
    return tuple(v.strip() for v in values)


def _parse_step(raw: dict[str, Any], index: int, where: str, roles: tuple[str, ...]) -> Step:
    key = _key(raw, f"{where} steps[{index}]")
    where = f"{where} step '{key}'"
    reject_unknown_keys(raw, STEP_KEYS, where, CampaignPlaybookError)
    offset = require_key(raw, "offset", int, where, CampaignPlaybookError)
    if abs(offset) > MAX_OFFSET:
        raise CampaignPlaybookError(
            f"{where}: 'offset' must be within ±{MAX_OFFSET} working days, not {offset}"
        )
    role = require_key(raw, "role", str, where, CampaignPlaybookError)
    if role not in roles:
        raise CampaignPlaybookError(
            f"{where}: role '{role}' is not one of the file's roles ({', '.join(roles)})"
        )
    return Step(
        key=key,
        name=require_key(raw, "name", str, where, CampaignPlaybookError).strip(),
        offset=offset,
        role=role,
        checklist=_text_list(raw, "checklist", where),
        notes=str(raw.get("notes", "")),
    )


def _parse_template(raw: Any, index: int, where: str) -> Template:
    where = f"{where} templates[{index}]"
    if not isinstance(raw, dict):
        raise CampaignPlaybookError(f"{where}: must be a table with name and url")
    reject_unknown_keys(raw, TEMPLATE_KEYS, where, CampaignPlaybookError)
    url = require_key(raw, "url", str, where, CampaignPlaybookError)
    if not url.startswith(("https://", "http://")):
        raise CampaignPlaybookError(f"{where}: url '{url}' must start with https:// or http://")
    return Template(require_key(raw, "name", str, where, CampaignPlaybookError), url)


def _parse_playbook(raw: dict[str, Any], index: int, source: str, roles: tuple[str, ...]) -> CampaignPlaybook:
    key = _key(raw, f"{source}: playbooks[{index}]")
    where = f"{source}: playbook '{key}'"
    reject_unknown_keys(raw, PLAYBOOK_KEYS, where, CampaignPlaybookError)
    channel = require_key(raw, "channel", str, where, CampaignPlaybookError)
    if channel not in CHANNELS:
        raise CampaignPlaybookError(f"{where}: channel '{channel}' is not one of {', '.join(CHANNELS)}")
    duration = raw.get("duration_minutes", 60)
    if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 24 * 60:
        raise CampaignPlaybookError(f"{where}: 'duration_minutes' must be 1 to 1440, not {duration!r}")
    raw_steps = raw.get("steps")
    if not raw_steps:
        raise CampaignPlaybookError(f"{where}: no [[playbooks.steps]] defined")
    steps = [_parse_step(s, i, where, roles) for i, s in enumerate(raw_steps)]
    reject_duplicate_keys([s.key for s in steps], f"{where}: step", CampaignPlaybookError)
    templates = raw.get("templates", [])
    if not isinstance(templates, list):
        raise CampaignPlaybookError(f"{where}: 'templates' must be a list of {{ name, url }}")
    return CampaignPlaybook(
        key=key,
        name=require_key(raw, "name", str, where, CampaignPlaybookError).strip(),
        channel=channel,
        duration_minutes=duration,
        description=require_key(raw, "description", str, where, CampaignPlaybookError).strip(),
        templates=tuple(_parse_template(t, i, where) for i, t in enumerate(templates)),
        steps=tuple(sorted(steps, key=lambda s: s.offset)),
    )


def parse_campaign_playbooks(text: str, source: str = "<campaign playbooks>") -> CampaignPlaybooks:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CampaignPlaybookError(f"{source}: {error}") from error
    reject_unknown_keys(raw, FILE_KEYS, source, CampaignPlaybookError)
    roles = _text_list(raw, "roles", source)
    raw_playbooks = raw.get("playbooks")
    if not raw_playbooks:
        raise CampaignPlaybookError(f"{source}: no [[playbooks]] defined")
    playbooks = tuple(_parse_playbook(p, i, source, roles) for i, p in enumerate(raw_playbooks))
    reject_duplicate_keys([p.key for p in playbooks], f"{source}: playbook", CampaignPlaybookError)
    return CampaignPlaybooks(roles=roles, playbooks=playbooks, source=source)


def load_campaign_playbooks(path: Path | str | None = None) -> CampaignPlaybooks:
    """The playbooks at `path`, else rollout/data/campaign_playbooks.toml (read again once it changes)."""
    resolved = Path(path or DEFAULT_CAMPAIGN_PLAYBOOKS)
    return _load_cached(resolved, resolved.stat().st_mtime_ns if resolved.exists() else 0)


@cache
def _load_cached(path: Path, _mtime: int) -> CampaignPlaybooks:
    return parse_campaign_playbooks(read_text(path, CampaignPlaybookError), source=str(path))
