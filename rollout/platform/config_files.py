"""Reference data files (TOML and CSV under rollout/data/): where the defaults are, and generic checks.

The gate playbook, the pipeline's stages and the event rules are TOML files that people edit without
touching code; every error names the file and the key (or line) at fault.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any


class ConfigFileError(ValueError):
    """A reference data file cannot be used; the message names the file and the key or line."""


def data_file(name: str) -> Path:
    """A default data file shipped inside the package (so an installed wheel finds it too)."""
    return Path(str(resources.files("rollout") / "data" / name))


def read_text(path: Path, error: type[ConfigFileError]) -> str:
    """A data file's text: UTF-8, as TOML requires; an unreadable file or another encoding is named."""
    try:
        raw = path.read_bytes()
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror})") from problem
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise error(
            f"{path}: line {line} is not UTF-8 (byte 0x{raw[problem.start]:02x}); save the file as UTF-8"
        ) from problem


def require_key(table: dict[str, Any], key: str, kind: type, where: str, error: type[ConfigFileError]) -> Any:
    if key not in table:
        raise error(f"{where}: missing key '{key}'")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise error(f"{where}: '{key}' must be {kind.__name__}, not {value!r}")
    return value


def reject_duplicate_keys(keys: list[str], what: str, error: type[ConfigFileError]) -> None:
    """Two entries with one key: which one a lookup finds would depend on the file's order."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise error(f"{what} key '{key}' appears twice")
        seen.add(key)


def reject_unknown_keys(
    raw: dict[str, Any], known: set[str], where: str, error: type[ConfigFileError]
) -> None:
    """A misspelt key would otherwise be ignored silently."""
    unknown = sorted(set(raw) - known)
    if unknown:
        raise error(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
