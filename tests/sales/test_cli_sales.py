"""The sales commands of the `rollout` CLI (import/export deals, import rates), in-process on SQLite."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from rollout.cli import main
from rollout.platform.db import get_engine, write_session
from rollout.platform.models import ExchangeRate, Opportunity
from rollout.sales import deals_import
from rollout.sales.deals_import import save_mapping
from rollout.sales.money import DEMO_RATES
from tests.factories import FixedDate, count
from tests.sales_factories import HUBSPOT_DEFAULT_FILE, HUBSPOT_FILE, HUBSPOT_IDS, HUBSPOT_STAGE_MAP

CEO = "ceo@rollout.example"
SUMMARY_4_CREATED = "created 4, updated 0, unchanged 0, rejected 0"


@pytest.fixture(autouse=True)
def database(cli_database, monkeypatch):
    """Today is TODAY for what the commands date."""
    monkeypatch.setattr(deals_import, "date", FixedDate)
    return cli_database


@pytest.fixture
def spain(run):
    assert run("countries", "add", "ES", "--start", "2026-01-10", "--by", CEO)[0] == 0
    return "ES"


def stored(database: str, model: type) -> int:
    return count(get_engine(database), model)


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def import_deals(run, path: Path | str, *options: str) -> tuple[int, str, str]:
    return run("import", "deals", str(path), "--country", "ES", "--by", CEO, *options)


def test_import_deals_creates_then_leaves_unchanged(run, spain, database):
    code, out, err = import_deals(run, HUBSPOT_FILE)
    assert (code, err, out) == (0, "", SUMMARY_4_CREATED + "\n")
    code, out, err = import_deals(run, HUBSPOT_FILE)
    assert (code, err, last_line(out)) == (0, "", "created 0, updated 0, unchanged 4, rejected 0")
    assert stored(database, Opportunity) == 4


def test_import_deals_tells_its_progress_on_a_terminal(run, spain, monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    code, out, err = import_deals(run, HUBSPOT_FILE)
    assert (code, out, err.splitlines()) == (
        0,
        SUMMARY_4_CREATED + "\n",
        ["checked 4 of 4 deals", "written 4 of 4 deals"],
    )


def test_import_deals_dry_run_writes_nothing(run, spain, database):
    code, out, err = import_deals(run, HUBSPOT_FILE, "--dry-run")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["dry run: nothing written", SUMMARY_4_CREATED]
    assert stored(database, Opportunity) == 0


STAGES = "Appointment scheduled, Qualified, Presentation, Proposal, Negotiation, Won, Lost"
MAP_IT = ": map it to one of them, or skip its deals"


def test_import_deals_with_bad_rows_prints_every_problem_and_writes_nothing(run, spain, database, tmp_path):
    content = HUBSPOT_FILE.read_bytes().replace(b"Contract sent", b"Contract maybe")
    content = content.replace(b"Appointment scheduled", b"Meeting booked")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    code, out, err = import_deals(run, bad)
    assert code != 0
    assert err.splitlines() == [
        f"data row 2 (line 3), Deal Stage: 'Contract maybe' is not a known stage ({STAGES}){MAP_IT}",
        f"data row 4 (line 7), Deal Stage: 'Meeting booked' is not a known stage ({STAGES}){MAP_IT}",
        "file refused: nothing imported",
    ]
    assert last_line(out) == "created 0, updated 0, unchanged 0, rejected 2"
    assert stored(database, Opportunity) == 0


def test_import_deals_with_a_future_won_deal_imports_it_with_a_warning(run, spain, database, tmp_path):
    future = tmp_path / "future.csv"
    future.write_bytes(HUBSPOT_FILE.read_bytes().replace(b"03/31/2026", b"12/31/2026"))
    code, out, err = import_deals(run, future)
    assert (code, err) == (0, "")
    assert (
        "warning: data row 1 (line 2), Close Date: a won deal closing on 2026-12-31, in the future: counted "
        "as closed on 2026-11-26, its CRM close date kept"
    ) in out
    assert last_line(out) == SUMMARY_4_CREATED
    assert stored(database, Opportunity) == 4


def test_import_deals_of_an_unreadable_file_is_refused(run, spain, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("Name,Value\nA,1\n", encoding="utf-8")
    code, out, err = import_deals(run, other)
    assert (code, out) == (2, "")
    assert err.startswith(f"rollout: {other}: not a HubSpot deals or Salesforce opportunities export")


def test_import_deals_in_the_wrong_format_is_refused(run, spain):
    code, out, err = import_deals(run, HUBSPOT_FILE, "--format", "salesforce")
    assert (code, out) == (2, "")
    assert "this Salesforce export has no column for crm_id (expected 'Opportunity ID')" in err


def test_import_deals_of_a_missing_file(run, spain, tmp_path):
    code, out, err = import_deals(run, tmp_path / "missing.csv")
    assert (code, out, err) == (2, "", f"rollout: {tmp_path / 'missing.csv'}: No such file or directory\n")


@pytest.mark.parametrize(
    ("country", "message"),
    [
        ("XX", "rollout: 'XX' is not an ISO 3166-1 alpha-2 country code (for example ES, IN, JP)\n"),
        ("FR", "rollout: FR (France) is not in the rollout yet\n"),
    ],
)
def test_import_and_export_for_an_unknown_country_exit_2(run, spain, database, tmp_path, country, message):
    assert run("import", "deals", str(HUBSPOT_FILE), "--country", country, "--by", CEO) == (2, "", message)
    output = tmp_path / "deals.csv"
    assert run("export", "deals", "--country", country, "-o", str(output)) == (2, "", message)
    assert not output.exists()
    assert stored(database, Opportunity) == 0


def test_export_deals_writes_a_csv(run, spain, tmp_path):
    import_deals(run, HUBSPOT_FILE)
    output = tmp_path / "es.csv"
    code, out, err = run("export", "deals", "--country", "es", "-o", str(output))
    assert (code, err, out) == (0, "", f"wrote ES's deals to {output}\n")
    exported = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert [row["crm_id"] for row in exported] == HUBSPOT_IDS
    assert (exported[0]["account"], exported[0]["amount"], exported[0]["stage"]) == (
        "Acme Corp",
        "12500.00",
        "won",
    )


def test_rates_import(run, database):
    rates = sum(
        1 for line in DEMO_RATES.read_text().splitlines()[1:] for cell in line.split(",")[1:] if cell.strip()
    )
    assert rates == 207
    assert run("rates", "import", str(DEMO_RATES), "--by", CEO) == (0, "imported 207 rates\n", "")
    assert run("rates", "import", str(DEMO_RATES), "--by", CEO)[0] == 0  # replaced, not duplicated
    assert stored(database, ExchangeRate) == 207


def test_rates_import_of_a_bad_file_exits_2_and_writes_nothing(run, database, tmp_path):
    bad = tmp_path / "rates.csv"
    bad.write_text("Date,USD,JPY,\n2026-11-20,1.16,176.5,\n2026-11-19,abc,175,\n", encoding="utf-8")
    code, out, err = run("rates", "import", str(bad), "--by", CEO)
    assert (code, out) == (2, "")
    assert err == f"rollout: {bad}: nothing imported. line 3, USD: 'abc' is not a positive rate\n"
    assert stored(database, ExchangeRate) == 0


def test_export_ics_writes_holidays_events_and_campaigns(tmp_path, monkeypatch, capsys):
    from icalendar import Calendar

    assert main(["countries", "add", "DE", "--start", "2026-01-05", "--by", "ceo@rollout.example"]) == 0
    out = tmp_path / "de.ics"
    assert (
        main(
            [
                "export",
                "ics",
                "--country",
                "DE",
                "--start",
                "2026-12-01",
                "--end",
                "2026-12-31",
                "--include",
                "holidays,events",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    summaries = {str(e["summary"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")}
    assert "Christmas Day" in summaries or "Erster Weihnachtstag" in summaries
    assert any("lull" in s.lower() for s in summaries)
    capsys.readouterr()
    assert (
        main(
            [
                "export",
                "ics",
                "--country",
                "DE",
                "--start",
                "2026-12-01",
                "--end",
                "2026-12-31",
                "--include",
                "holidays,parties",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    assert "--include: parties" in capsys.readouterr().err


def test_an_export_imports_back_through_the_cli_unchanged(run, spain, tmp_path):
    import_deals(run, HUBSPOT_FILE)
    exported = tmp_path / "es.csv"
    assert run("export", "deals", "--country", "ES", "-o", str(exported))[0] == 0
    code, out, _ = import_deals(run, exported, "--mapping", "rollout")
    assert (code, last_line(out)) == (0, "created 0, updated 0, unchanged 4, rejected 0")


def test_an_unknown_saved_mapping_is_named(run, spain, tmp_path):
    code, _, err = run("import", "deals", str(HUBSPOT_FILE), "--country", "ES", "--mapping", "Pipedrive")
    assert code == 2 and "no saved mapping called 'Pipedrive' (known: rollout)" in err


# --- real exports: stage maps, pipelines, valid rows, the import history ---------------------------------


def stage_map_file(tmp_path: Path) -> Path:
    path = tmp_path / "stages.csv"
    lines = ["HubSpot stage,Rollout stage", *(f"{label},{key}" for label, key in HUBSPOT_STAGE_MAP.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_deals_with_a_stage_map_and_a_pipeline(run, spain, database, tmp_path):
    stages = stage_map_file(tmp_path)
    options = ("--stage-map", str(stages), "--pipeline", "Sales Pipeline")
    code, out, err = import_deals(run, HUBSPOT_DEFAULT_FILE, *options)
    assert (code, err) == (0, "")
    assert "warning: data row 4 (line 5), Close Date: a won deal closing on 2026-12-15" in out
    assert last_line(out) == "created 6, updated 0, unchanged 0, skipped 2, rejected 0"
    assert stored(database, Opportunity) == 6


def test_import_deals_without_a_stage_map_names_each_unknown_stage(run, spain, database):
    code, out, err = import_deals(run, HUBSPOT_DEFAULT_FILE)
    assert code == 1
    assert err.splitlines()[0].startswith(
        "data row 1 (line 2), Deal Stage: 'Discovery call' is not a known stage"
    )
    assert stored(database, Opportunity) == 0


def test_a_bad_stage_map_line_is_refused_naming_it(run, spain, database, tmp_path):
    stages = tmp_path / "stages.csv"
    stages.write_text("Discovery call,qualified\nDemo done,demo\n")
    code, _, err = import_deals(run, HUBSPOT_DEFAULT_FILE, "--stage-map", str(stages))
    assert code == 2
    assert "stages.csv: line 2: 'demo' is not a Rollout stage key" in err


def test_import_deals_uses_the_choices_saved_with_a_mapping(run, spain, database):
    with write_session(get_engine(database)) as session:
        save_mapping(
            session,
            name="HubSpot ES",
            columns={},
            by=CEO,
            format="hubspot",
            stages=HUBSPOT_STAGE_MAP,
            pipelines=["Sales Pipeline"],
        )
    code, out, err = import_deals(run, HUBSPOT_DEFAULT_FILE, "--mapping", "HubSpot ES")
    assert (code, err) == (0, "")
    assert last_line(out) == "created 6, updated 0, unchanged 0, skipped 2, rejected 0"


def test_valid_rows_writes_the_refused_ones_to_a_file(run, spain, database, tmp_path):
    rejected = tmp_path / "rejected.csv"
    options = ("--stage-map", str(stage_map_file(tmp_path)), "--valid-rows", "--rejected-out", str(rejected))
    code, out, err = import_deals(run, HUBSPOT_DEFAULT_FILE, *options)
    assert code == 0
    assert "data row 6 (line 7), Deal Stage: 'Partner sourced' is not a known stage" in err
    assert "1 refused row(s) written to" in out
    assert last_line(out) == "created 7, updated 0, unchanged 0, rejected 1"
    rows = list(csv.DictReader(io.StringIO(rejected.read_text(encoding="utf-8-sig"))))
    assert [(row["Record ID"], row["Deal Stage"]) for row in rows] == [("31006", "Partner sourced")]
    assert rows[0]["problem"].startswith("Deal Stage: 'Partner sourced' is not a known stage")


def test_valid_rows_needs_a_file_for_the_refused_ones(run, spain, database):
    code, _, err = import_deals(run, HUBSPOT_DEFAULT_FILE, "--valid-rows")
    assert code == 2
    assert "--valid-rows and --rejected-out FILE go together" in err


def test_imports_list_shows_the_history(run, spain, database, tmp_path):
    assert run("imports", "list", "--country", "ES")[1] == "no imports yet for ES\n"
    import_deals(
        run,
        HUBSPOT_DEFAULT_FILE,
        "--stage-map",
        str(stage_map_file(tmp_path)),
        "--pipeline",
        "Sales Pipeline",
    )
    code, out, _ = run("imports", "list", "--country", "ES", "--json")
    assert code == 0
    [entry] = json.loads(out)
    assert (entry["imported_by"], entry["format"], entry["created"], entry["skipped"], entry["warnings"]) == (
        CEO,
        "hubspot",
        6,
        2,
        1,
    )
    assert entry["sha256"] == hashlib.sha256(HUBSPOT_DEFAULT_FILE.read_bytes()).hexdigest()
    assert entry["mapping"]["pipelines"] == ["Sales Pipeline"]
    text_out = run("imports", "list", "--country", "ES")[1]
    assert "created 6, updated 0, unchanged 2" not in text_out
    assert f"{CEO} {HUBSPOT_DEFAULT_FILE}" in text_out


def test_a_reimport_names_changes_made_in_rollout_and_can_keep_them(run, spain, database, tmp_path):
    from rollout.sales.pipeline import update_opportunity
    from tests.sales_factories import deals_by_crm_id

    options = ("--stage-map", str(stage_map_file(tmp_path)), "--pipeline", "Sales Pipeline")
    import_deals(run, HUBSPOT_DEFAULT_FILE, *options)
    engine = get_engine(database)
    deal = deals_by_crm_id(engine, "ES")["31001"]
    with write_session(engine) as session:
        update_opportunity(session, opportunity_id=deal.id, changes={"owner": "Pau"}, by=CEO)
    code, out, _ = import_deals(run, HUBSPOT_DEFAULT_FILE, *options, "--keep-rollout-edits")
    assert code == 0
    assert (
        "changed in Rollout since its last import: deal 31001, owner: 'Pau' in Rollout, "
        "'Inés Navarro' in the file (Rollout's value kept)"
    ) in out
    assert last_line(out) == "created 0, updated 0, unchanged 6, skipped 2, rejected 0"
    assert deals_by_crm_id(engine, "ES")["31001"].owner == "Pau"
