"""The `rollout` command line, run in-process against a fresh SQLite file per test."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from rollout import demo
from rollout.cli import main
from rollout.gates import decisions as gate_decisions
from rollout.gates import status as gates
from rollout.platform.config_files import data_file
from rollout.platform.db import get_engine
from rollout.platform.schema import head_revision
from tests.factories import FixedDate

CEO = "ceo@rollout.example"


@pytest.fixture(autouse=True)
def database(cli_database, monkeypatch):
    """Today is TODAY for what the commands date."""
    monkeypatch.setattr(gates, "date", FixedDate)
    monkeypatch.setattr(gate_decisions, "date", FixedDate)
    monkeypatch.setattr(demo, "date", FixedDate)
    return cli_database


def ok(run, *argv: str) -> str:
    code, out, err = run(*argv)
    assert (code, err) == (0, ""), err
    return out


def refused(run, *argv: str) -> str:
    code, out, err = run(*argv)
    assert (code, out) == (2, ""), out
    assert err.startswith("rollout: ")
    return err


def gates_json(run, *argv: str) -> list[dict]:
    return json.loads(ok(run, "gates", "--json", *argv))


@pytest.fixture
def spain(run):
    ok(run, "countries", "add", "es", "--start", "2026-01-10", "--by", CEO)
    return "ES"


def test_init_creates_the_database(run, database):
    assert ok(run, "init") == f"database ready at {database}\n"
    with get_engine(database).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_demo_loads_once(run):
    assert ok(run, "demo", "--by", CEO) == "loaded the demo: 8 countries\n"
    assert "the database already has countries" in refused(run, "demo", "--by", CEO)
    phases = {status["country"]: status["phase"] for status in gates_json(run)}
    assert phases["ES"] == "established"
    assert phases["JP"] == "sales_test"
    assert len(phases) == 8


def test_countries_add_prints_the_prefilled_facts(run):
    assert ok(run, "countries", "add", "in", "--start", "2026-01-10", "--by", CEO) == (
        "added IN (India), starting 2026-01-10: languages hi, en, currency INR, time zones Asia/Kolkata\n"
    )


def test_countries_list_json(run, spain):
    ok(run, "countries", "add", "IN", "--start", "2025-12-01", "--by", CEO)
    listed = json.loads(ok(run, "countries", "list", "--json"))
    assert [(c["code"], c["name"], c["phase"], c["start_date"]) for c in listed] == [
        ("IN", "India", "sales_test", "2025-12-01"),
        ("ES", "Spain", "sales_test", "2026-01-10"),
    ]
    assert listed[1]["currency"] == "EUR"
    assert listed[1]["created_by"] == CEO


def test_countries_list_text(run, spain):
    assert ok(run, "countries", "list").split() == ["ES", "Spain", "sales_test", "started", "2026-01-10"]


def test_countries_add_twice_is_refused(run, spain):
    err = refused(run, "countries", "add", "ES", "--start", "2026-02-01", "--by", CEO)
    assert "ES (Spain) is already in the rollout" in err
    assert json.loads(ok(run, "countries", "list", "--json"))[0]["start_date"] == "2026-01-10"


def test_countries_add_unknown_code_is_refused(run):
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in refused(
        run, "countries", "add", "XX", "--start", "2026-01-10", "--by", CEO
    )


def test_gates_json(run, spain):
    [status] = gates_json(run)
    assert {
        key: status[key] for key in ("country", "phase", "phase_started", "gate_due", "ready", "forecast")
    } == {
        "country": "ES",
        "phase": "sales_test",
        "phase_started": "2026-01-10",
        "gate_due": "2026-04-10",
        "ready": False,
        "forecast": "off_track",  # overdue on 2026-11-26 with nothing met
    }
    assert status["last_decision"] is None
    assert (status["health"], status["conditions"]) == ("off_track", [])
    criteria = {c["key"]: c for c in status["criteria"]}
    assert list(criteria) == ["qualified_meetings", "opportunities_opened", "open_pipeline", "market_memo"]
    for criterion in criteria.values():
        assert {"key", "name", "kind", "value", "threshold", "met"} <= set(criterion)
        assert criterion["met"] is False
    assert (criteria["qualified_meetings"]["kind"], criteria["qualified_meetings"]["threshold"]) == (
        "metric",
        15,
    )
    memo = criteria["market_memo"]
    assert (memo["name"], memo["kind"], memo["value"], memo["threshold"]) == (
        "Market memo reviewed by leadership",
        "check",
        False,
        None,
    )


def test_gates_for_one_country(run, spain):
    ok(run, "countries", "add", "IN", "--start", "2026-01-10", "--by", CEO)
    assert [status["country"] for status in gates_json(run, "--country", "es")] == ["ES"]
    assert ok(run, "gates", "--country", "ES").split() == [
        "ES", "sales_test", "due", "2026-04-10", "met", "0/4", "decisions", "0", "off_track",
    ]  # fmt: skip


def test_decide_go(run, spain):
    assert (
        ok(run, "decide", "ES", "go", "--by", CEO, "--why", "Strong start", "--gate", "sales_test")
        == "recorded decision #1 for ES: go at the sales_test gate\n"
    )
    [status] = gates_json(run)
    assert (status["phase"], status["phase_started"], status["gate_due"]) == (
        "first_signings",
        "2026-11-26",
        "2027-02-26",
    )
    assert status["last_decision"] == {
        "sequence": 1,
        "outcome": "go",
        "phase": "sales_test",
        "decided_on": "2026-11-26",
        "decided_by": CEO,
    }


def test_decide_extend_by_months(run, spain):
    out = ok(run, "decide", "ES", "extend", "--months", "2", "--why", "slow summer", "--by", CEO)
    assert out == "recorded decision #1 for ES: extend at the sales_test gate\n"
    assert gates_json(run)[0]["gate_due"] == "2026-06-10"


def test_stop_needs_a_rationale(run, spain):
    assert "rationale: required to stop" in refused(run, "decide", "ES", "stop", "--by", CEO)
    assert gates_json(run)[0]["last_decision"] is None


def test_no_decision_after_exit(run, spain):
    ok(run, "decide", "ES", "stop", "--why", "no market", "--by", CEO)
    assert gates_json(run)[0]["phase"] == "exited"
    assert "ES is exited: it has no gate to decide" in refused(run, "decide", "ES", "go", "--by", CEO)
    assert gates_json(run)[0]["last_decision"]["sequence"] == 1


def test_decide_on_unknown_country_is_refused(run, spain):
    assert "FR (France) is not in the rollout yet" in refused(run, "decide", "FR", "go", "--by", CEO)


def test_decide_with_a_bad_email_is_refused(run, spain):
    assert "'ceo' is not an email address" in refused(run, "decide", "ES", "go", "--by", "ceo")


def test_unknown_outcome_is_a_usage_error(run, spain, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["decide", "ES", "maybe", "--by", CEO])
    assert exit_info.value.code == 2
    assert "invalid choice: 'maybe'" in capsys.readouterr().err


def test_database_newer_than_the_code_is_refused(run, database):
    ok(run, "init")
    with get_engine(database).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    assert "schema revision ffff" in refused(run, "countries", "list")


def test_broken_playbook_is_reported(run, tmp_path, monkeypatch):
    broken = tmp_path / "playbook.toml"
    broken.write_text("[[phases]]\nkey = 1\n", encoding="utf-8")
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(broken))
    err = refused(run, "init")
    assert str(broken) in err
    assert "'key' must be str" in err


def test_a_playbook_that_orphans_recorded_decisions_is_refused_but_backup_still_runs(
    run, spain, tmp_path, monkeypatch
):
    ok(run, "decide", "ES", "go", "--by", CEO, "--why", "Strong start", "--gate", "sales_test")
    edited = tmp_path / "playbook.toml"
    shipped = data_file("playbook.toml").read_text(encoding="utf-8")
    edited.write_text(shipped.replace('key = "sales_test"', 'key = "market_test"'), encoding="utf-8")
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(edited))
    err = refused(run, "gates")
    assert (
        str(edited) in err and "ES: decision #1 (go on 2026-11-26) was taken at the 'sales_test' gate" in err
    )
    ok(run, "backup", str(tmp_path / "before-the-fix.db"))


def test_decide_refuses_when_the_decisions_seen_are_not_the_latest(run, spain):
    ok(
        run,
        "decide",
        "ES",
        "extend",
        "--why",
        "slow",
        "--by",
        CEO,
        "--gate",
        "sales_test",
        "--decisions",
        "0",
    )
    err = refused(run, "decide", "ES", "extend", "--why", "slow", "--by", CEO, "--decisions", "0")
    assert f"ES: {CEO} recorded 'extend' on 2026-11-26 while you were reviewing this gate" in err
    assert gates_json(run)[0]["decision_count"] == 1
    ok(run, "decide", "ES", "extend", "--why", "slower", "--by", CEO, "--decisions", "1")
    assert gates_json(run)[0]["decision_count"] == 2


def test_two_decide_commands_at_once_record_one(run, spain, monkeypatch):
    """The second command read the gate before the first one recorded: it is refused, not recorded too."""
    seen_by_both = gates.gate_status

    def first_decides_meanwhile(session, code, *args, **kwargs):
        status = seen_by_both(session, code, *args, **kwargs)
        monkeypatch.setattr(gates, "gate_status", seen_by_both)
        assert ok(run, "decide", "ES", "extend", "--why", "slow", "--by", CEO, "--gate", "sales_test")
        return status

    monkeypatch.setattr(gates, "gate_status", first_decides_meanwhile)
    err = refused(run, "decide", "ES", "extend", "--why", "slow", "--by", CEO, "--gate", "sales_test")
    assert "while you were reviewing this gate. Your decision was not recorded" in err
    assert gates_json(run)[0]["decision_count"] == 1


def test_a_data_file_in_another_encoding_is_refused_in_words(run, tmp_path, monkeypatch):
    latin1 = tmp_path / "playbook.toml"
    shipped = data_file("playbook.toml").read_text(encoding="utf-8")
    latin1.write_bytes(shipped.replace('name = "Sales test"', 'name = "Test de marché"').encode("latin-1"))
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(latin1))
    err = refused(run, "gates")
    assert f"{latin1}: line" in err and "is not UTF-8 (byte 0xe9)" in err


def test_decide_a_conditional_go_and_clear_its_condition(run, spain):
    far = (date.today() + timedelta(days=60)).isoformat()
    out = ok(
        run, "decide", "ES", "go", "--by", CEO, "--why", "Pipeline strong",
        "--condition", "Native marketer hired", "--condition-due", far,
        "--condition-owner", "ana@team.example",
        "--condition", "Reference call", "--condition-due", far,
    )  # fmt: skip
    assert out == "recorded decision #1 for ES: go at the sales_test gate with 2 condition(s)\n"
    [status] = gates_json(run)
    owed = status["conditions"]
    assert [(c["text"], c["owner"], c["due_on"]) for c in owed] == [
        ("Native marketer hired", "ana@team.example", far),
        ("Reference call", "", far),
    ]
    assert ok(run, "conditions", "clear", str(owed[0]["id"]), "--by", CEO) == "cleared condition #1 of ES\n"
    assert [c["text"] for c in gates_json(run)[0]["conditions"]] == ["Reference call"]


def test_a_condition_without_its_date_is_refused(run, spain):
    err = refused(run, "decide", "ES", "go", "--by", CEO, "--why", "x", "--condition", "Hire")
    assert "--condition-due: condition 1 ('Hire') needs a due date" in err
    assert gates_json(run)[0]["decision_count"] == 0


def test_review_pack_writes_printable_html(run, spain, tmp_path):
    out = tmp_path / "pack.html"
    assert ok(run, "review", "pack", "es", "-o", str(out)) == f"wrote the review pack of ES to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert "Qualified meetings held" in text and 'id="market-ES"' in text
    err = refused(run, "review", "pack", "ES", "-o", str(tmp_path / "pack.pdf"))
    assert "printable HTML (.html)" in err and not (tmp_path / "pack.pdf").exists()


def test_candidate_markets_from_the_command_line(run):
    ok(run, "candidates", "add", "pl", "--score", "market_size=4", "--score", "partners=2", "--by", CEO)
    ok(run, "candidates", "add", "MX", "--score", "market_size=5", "--score", "partners=5", "--by", CEO)
    listed = json.loads(ok(run, "candidates", "list", "--json"))
    assert [(c["rank"], c["code"]) for c in listed] == [(1, "MX"), (2, "PL")]
    assert "not scored: competition" in ok(run, "candidates", "list")
    assert ok(run, "candidates", "start", "MX", "--start", "2027-01-04", "--by", CEO).startswith("started MX")
    assert [c["code"] for c in json.loads(ok(run, "candidates", "list", "--json"))] == ["PL"]
    with pytest.raises(SystemExit):  # argparse refuses it, naming the form
        run("candidates", "add", "PL", "--score", "size")
