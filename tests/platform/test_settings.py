"""Every ROLLOUT_* variable is read in one place, refused by name when bad, and listed in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rollout.platform import settings
from rollout.platform.settings import VARIABLES, SettingsError, current

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults_when_nothing_is_set():
    found = current({})
    assert found.database_url is None and found.playbook is None
    assert found.hq_time_zone == "Europe/Paris"
    assert found.user.endswith("@localhost")
    assert found.allow_remote_local_mode is False


def test_values_are_read_with_their_types():
    found = current(
        {
            "ROLLOUT_DATABASE_URL": "postgresql+psycopg://app@db/rollout",
            "ROLLOUT_PLAYBOOK": "/etc/rollout/playbook.toml",
            "ROLLOUT_HQ_TIMEZONE": "Asia/Kolkata",
            "ROLLOUT_USER": "ana@example.com",
            "ROLLOUT_ALLOW_REMOTE_LOCAL_MODE": "TRUE",
        }
    )
    assert found.database_url == "postgresql+psycopg://app@db/rollout"
    assert found.playbook == Path("/etc/rollout/playbook.toml")
    assert found.hq_time_zone == "Asia/Kolkata"
    assert found.user == "ana@example.com"
    assert found.allow_remote_local_mode is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ROLLOUT_HQ_TIMEZONE", "Paris"),
        ("ROLLOUT_ALLOW_REMOTE_LOCAL_MODE", "sometimes"),
        ("ROLLOUT_DATABASE_URL", "rollout.db"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(name, value):
    with pytest.raises(SettingsError, match=rf"^{name}: '{re.escape(value)}'"):
        current({name: value})


def test_every_attribute_has_exactly_one_variable():
    attributes = [variable.attribute for variable in VARIABLES]
    assert attributes == list(settings.Settings.__dataclass_fields__)


def test_the_readme_table_lists_exactly_these_variables():
    table = README.read_text(encoding="utf-8").split("### Configuration", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `ROLLOUT_")]
    listed = {re.match(r"\| `(ROLLOUT_\w+)`", row).group(1): row for row in rows}
    test_only = {"ROLLOUT_CHROMIUM", "ROLLOUT_TEST_POSTGRES_URL"}
    assert set(listed) - test_only == {variable.name for variable in VARIABLES}
    for variable in VARIABLES:
        assert variable.meaning in listed[variable.name] and variable.shown_default in listed[variable.name]


def test_the_cli_refuses_a_bad_value_at_start_naming_the_variable(monkeypatch, capsys, sqlite_url):
    from rollout.cli import main

    monkeypatch.setenv("ROLLOUT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", "")
    monkeypatch.setenv("ROLLOUT_ALLOW_REMOTE_LOCAL_MODE", "perhaps")
    assert main(["init"]) == 2
    assert "ROLLOUT_ALLOW_REMOTE_LOCAL_MODE: 'perhaps' is not true or false" in capsys.readouterr().err
