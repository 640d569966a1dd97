"""The playbook file: the shipped one loads, and every mistake in one is named with its file and key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollout.gates.playbook import DEFAULT_PLAYBOOK, ESTABLISHED, PlaybookError, load_playbook, parse_playbook
from tests.factories import make_playbook

SOURCE = "bad-playbook.toml"

CRITERION = """
[[phases.gate.criteria]]
key = "meetings"
name = "Meetings"
kind = "metric"
metric = "qualified_meetings"
threshold = 15
"""


def one_phase(phase: str = "", gate: str = "", criteria: str = CRITERION, key: str = "pilot") -> str:
    """A one-phase playbook; `phase`/`gate` replace the phase's or gate's scalar lines."""
    phase = phase or f'key = "{key}"\nname = "Pilot"\nmonths = 3'
    gate = gate or 'name = "Pilot gate"'
    return f"[[phases]]\n{phase}\n\n[phases.gate]\n{gate}\n{criteria}"


def parse_error(text: str) -> str:
    with pytest.raises(PlaybookError) as error:
        parse_playbook(text, source=SOURCE)
    message = str(error.value)
    assert message.startswith(SOURCE), message
    return message


def test_shipped_playbook_has_the_four_phases_in_order(playbook):
    assert [phase.key for phase in playbook.phases] == [
        "sales_test",
        "first_signings",
        "marketing_launch",
        "local_talent",
    ]
    assert playbook.first_phase_key == "sales_test"
    assert playbook.next_phase_key("sales_test") == "first_signings"
    assert playbook.next_phase_key("local_talent") == ESTABLISHED
    assert playbook.source == str(DEFAULT_PLAYBOOK)


def test_shipped_playbook_criteria_are_well_formed(playbook):
    for phase in playbook.phases:
        assert phase.months >= 1
        assert phase.criteria
        for criterion in phase.criteria:
            assert criterion.kind in ("metric", "check")
            assert (criterion.metric is not None) == (criterion.kind == "metric")
            assert (criterion.threshold is not None) == (criterion.kind == "metric")


def test_state_names():
    playbook = make_playbook()
    assert playbook.state_name("pilot") == "Pilot"
    assert playbook.state_name("exited") == "Exited"
    with pytest.raises(KeyError):
        playbook.phase("nope")


def test_load_playbook_reads_the_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "playbook.toml"
    path.write_text(one_phase(key="only_phase"), encoding="utf-8")
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(path))
    playbook = load_playbook()
    assert [phase.key for phase in playbook.phases] == ["only_phase"]
    assert playbook.source == str(path)


def test_unreadable_playbook_names_the_path(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(PlaybookError, match="missing.toml: cannot be read"):
        load_playbook(missing)


def test_missing_key_is_named():
    message = parse_error(one_phase(phase='key = "pilot"\nname = "Pilot"'))
    assert "phase 'pilot'" in message
    assert "missing key 'months'" in message


def test_missing_criterion_name_is_named():
    criteria = '[[phases.gate.criteria]]\nkey = "memo"\nkind = "check"\n'
    message = parse_error(one_phase(criteria=criteria))
    assert "criterion 'memo'" in message
    assert "missing key 'name'" in message


def test_wrong_type_is_named():
    message = parse_error(one_phase(phase='key = "pilot"\nname = "Pilot"\nmonths = "three"'))
    assert "'months' must be int" in message
    assert "'three'" in message


def test_boolean_is_not_a_number():
    message = parse_error(one_phase(criteria=CRITERION.replace("threshold = 15", "threshold = true")))
    assert "'threshold' must be float" in message


def test_duplicate_phase_key_is_named():
    message = parse_error(one_phase() + "\n" + one_phase())
    assert "phase key 'pilot' appears twice" in message


def test_duplicate_criterion_key_is_named():
    message = parse_error(one_phase(criteria=CRITERION + CRITERION))
    assert "phase 'pilot'" in message
    assert "criterion key 'meetings' appears twice" in message


def test_kind_must_be_metric_or_check():
    message = parse_error(one_phase(criteria=CRITERION.replace('"metric"\nmetric', '"survey"\nmetric')))
    assert "criterion 'meetings'" in message
    assert "'kind' must be 'metric' or 'check', not 'survey'" in message


def test_metric_needs_a_threshold():
    message = parse_error(one_phase(criteria=CRITERION.replace("threshold = 15\n", "")))
    assert "criterion 'meetings'" in message
    assert "missing key 'threshold'" in message


def test_negative_threshold_is_refused():
    message = parse_error(one_phase(criteria=CRITERION.replace("threshold = 15", "threshold = -1")))
    assert "'threshold' must not be negative" in message


@pytest.mark.parametrize("months", [0, -2])
def test_months_must_be_at_least_one(months):
    message = parse_error(one_phase(phase=f'key = "pilot"\nname = "Pilot"\nmonths = {months}'))
    assert f"phase 'pilot': 'months' must be at least 1, not {months}" in message


@pytest.mark.parametrize("reserved", ["established", "exited"])
def test_terminal_state_keys_are_reserved(reserved):
    message = parse_error(one_phase(key=reserved))
    assert f"'{reserved}' is reserved" in message
    assert "phases[0]" in message


def test_toml_syntax_error_names_the_line():
    text = one_phase() + '\n[[phases]]\nkey = "broken\n'
    broken_line = text.count("\n", 0, text.index('"broken'))
    message = parse_error(text)
    assert f"line {broken_line + 1}" in message


def test_unit_must_be_allowed():
    message = parse_error(one_phase(criteria=CRITERION + 'unit = "furlongs"\n'))
    assert "criterion 'meetings'" in message
    assert "'unit' must be one of count, currency, share, not 'furlongs'" in message


def test_no_phases_is_refused():
    assert "no [[phases]] defined" in parse_error('reporting_currency = "EUR"\n')


def test_gate_without_criteria_is_refused():
    assert "the gate needs at least one criterion" in parse_error(one_phase(criteria=""))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("at_risk_ratio = 0", "'at_risk_ratio' must be between 0 and 1"),
        ("at_risk_ratio = 1.5", "'at_risk_ratio' must be between 0 and 1"),
        ("default_extension_months = 0", "'default_extension_months' must be a whole number"),
    ],
)
def test_top_level_settings_are_validated(line, expected):
    assert expected in parse_error(line + "\n" + one_phase())


@given(
    threshold=st.integers(min_value=0, max_value=10**9) | st.floats(min_value=0, max_value=1e9),
    months=st.integers(min_value=1, max_value=120),
)
def test_thresholds_and_months_round_trip(threshold, months):
    playbook = make_playbook(threshold=threshold, months=months)
    pilot = playbook.phase("pilot")
    assert pilot.months == months
    assert pilot.criteria[0].threshold == float(threshold)
    assert isinstance(pilot.criteria[0].threshold, float)


def test_test_playbook_template_is_valid():
    playbook = make_playbook()
    assert [phase.key for phase in playbook.phases] == ["pilot", "launch"]
    assert playbook.next_phase_key("launch") == ESTABLISHED


def test_a_playbook_saved_in_another_encoding_is_named_with_its_line(tmp_path):
    latin1 = tmp_path / "playbook.toml"
    latin1.write_bytes('[[phases]]\nkey = "sales_test"\nname = "Test de marché"\n'.encode("latin-1"))
    with pytest.raises(
        PlaybookError, match=r"playbook.toml: line 3 is not UTF-8 \(byte 0xe9\); save the file as UTF-8"
    ):
        load_playbook(latin1)
