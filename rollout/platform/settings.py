"""Rollout's configuration: every ROLLOUT_* environment variable, with its type, default and meaning.

Read from the environment on each call (cheap, and tests or a deployment may change it), checked as a
whole: a bad value is refused with the variable's name. The README's configuration table lists exactly
these (a test compares them).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rollout.platform.errors import RolloutError


class SettingsError(RolloutError):
    """An environment variable holds a value Rollout cannot use; the message names it."""


def _boolean(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise SettingsError(f"{name}: '{raw}' is not true or false")


def _time_zone(name: str, raw: str) -> str:
    try:
        ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(f"{name}: '{raw}' is not an IANA time zone (e.g. Europe/Paris)") from error
    return raw.strip()


def _database_url(name: str, raw: str) -> str:
    if "://" not in raw:
        raise SettingsError(
            f"{name}: '{raw}' is not a SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db)"
        )
    return raw.strip()


def _file(name: str, raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _text(name: str, raw: str) -> str:
    return raw.strip()


def _base_url(name: str, raw: str) -> str:
    if not raw.strip().startswith(("http://", "https://")):
        raise SettingsError(f"{name}: '{raw}' is not an http(s) address (e.g. https://rollout.example.com)")
    return raw.strip().rstrip("/")


def _port(name: str, raw: str) -> int:
    if not raw.strip().isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name}: '{raw}' is not a port number (1-65535)")
    return int(raw)


SMTP_SECURITY = ("starttls", "tls", "none")


def _smtp_security(name: str, raw: str) -> str:
    if raw.strip().lower() not in SMTP_SECURITY:
        raise SettingsError(f"{name}: '{raw}' is not one of {', '.join(SMTP_SECURITY)}")
    return raw.strip().lower()


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: the embedded SQLite file
    playbook: Path | None  # None: the playbook shipped with Rollout
    hq_time_zone: str
    user: str
    allow_remote_local_mode: bool
    base_url: str
    smtp_host: str | None  # None: the digest is printed, not sent
    smtp_port: int | None  # None: 465 with TLS, else 587
    smtp_security: str
    smtp_user: str | None
    smtp_password: str | None
    smtp_sender: str


@dataclass(frozen=True)
class Variable:
    name: str
    attribute: str
    meaning: str
    shown_default: str
    parse: Callable[[str, str], Any]
    default: Callable[[], Any]


# The one list of variables, one per attribute of Settings.
VARIABLES: tuple[Variable, ...] = (
    Variable(
        "ROLLOUT_DATABASE_URL",
        "database_url",
        "SQLAlchemy URL, e.g. `postgresql+psycopg://user@host/rollout`",
        "`sqlite:///rollout.db` in the folder the app or CLI runs from",
        _database_url,
        lambda: None,
    ),
    Variable(
        "ROLLOUT_PLAYBOOK",
        "playbook",
        "another playbook file",
        "`rollout/data/playbook.toml`",
        _file,
        lambda: None,
    ),
    Variable(
        "ROLLOUT_HQ_TIMEZONE",
        "hq_time_zone",
        "headquarters' time zone, shown beside local campaign times",
        "`Europe/Paris`",
        _time_zone,
        lambda: "Europe/Paris",
    ),
    Variable(
        "ROLLOUT_USER",
        "user",
        "who you are in local mode (no `[auth]`), and the CLI's default `--by`",
        "`$USER@localhost`",
        _text,
        lambda: f"{getpass.getuser()}@localhost",
    ),
    Variable(
        "ROLLOUT_ALLOW_REMOTE_LOCAL_MODE",
        "allow_remote_local_mode",
        "`true` lets local mode serve a network address",
        "`false`",
        _boolean,
        lambda: False,
    ),
    Variable(
        "ROLLOUT_BASE_URL",
        "base_url",
        "the app's address, for the links in the weekly digest",
        "`http://localhost:8501`",
        _base_url,
        lambda: "http://localhost:8501",
    ),
    Variable(
        "ROLLOUT_SMTP_HOST",
        "smtp_host",
        "the SMTP server `rollout digest` sends through",
        "unset: the digest is printed",
        _text,
        lambda: None,
    ),
    Variable(
        "ROLLOUT_SMTP_PORT", "smtp_port", "its port", "`465` with `tls`, else `587`", _port, lambda: None
    ),
    Variable(
        "ROLLOUT_SMTP_SECURITY",
        "smtp_security",
        "`starttls`, `tls` (implicit TLS) or `none`",
        "`starttls`",
        _smtp_security,
        lambda: "starttls",
    ),
    Variable("ROLLOUT_SMTP_USER", "smtp_user", "the SMTP login", "unset: no login", _text, lambda: None),
    Variable("ROLLOUT_SMTP_PASSWORD", "smtp_password", "its password", "unset", _text, lambda: None),
    Variable(
        "ROLLOUT_SMTP_SENDER",
        "smtp_sender",
        "the digest's From address",
        "`rollout@localhost`",
        _text,
        lambda: "rollout@localhost",
    ),
)


def current(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in force; SettingsError names the first variable with a bad value."""
    environ = os.environ if environ is None else environ
    return _parsed(tuple(environ.get(variable.name, "") for variable in VARIABLES))


@lru_cache(maxsize=8)
def _parsed(raw_values: tuple[str, ...]) -> Settings:
    # The environment is read on every call (the playbook and database URL are looked up often);
    # each set of values is parsed once.
    values = {
        variable.attribute: variable.parse(variable.name, raw) if raw.strip() else variable.default()
        for variable, raw in zip(VARIABLES, raw_values, strict=True)
    }
    return Settings(**values)
