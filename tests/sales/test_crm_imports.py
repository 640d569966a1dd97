"""Real CRM exports as they come: custom stages mapped (or skipped), pipelines chosen, CRM ids per source,
the import history with its change list, and importing the valid rows of a file with bad ones."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.models import DealImport, DealImportChange, Opportunity
from rollout.sales.crm_files import CrmFileError
from rollout.sales.deals_import import export_deals_csv, save_mapping, saved_choices
from rollout.sales.import_choices import SKIP, overview, parse_stage_map, rejected_rows_csv
from rollout.sales.import_history import changes_csv, import_changes, imports
from rollout.sales.pipeline import load_pipeline_config, update_opportunity
from tests.conftest import ACTOR, TODAY
from tests.factories import add, count
from tests.sales_factories import (
    HUBSPOT_DEFAULT_FILE,
    HUBSPOT_DEFAULT_HEADERS,
    HUBSPOT_FILE,
    HUBSPOT_STAGE_MAP,
    SALESFORCE_DEFAULT_HEADERS,
    SALESFORCE_REPORT_FILE,
    crm_export,
    deals_by_crm_id,
    import_file,
)

HUBSPOT = HUBSPOT_DEFAULT_FILE.read_bytes()
SALESFORCE = SALESFORCE_REPORT_FILE.read_bytes()
CONFIG = load_pipeline_config()
SALES = ["Sales Pipeline"]


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 1))
    return "ES"


def import_hubspot(engine, content: bytes = HUBSPOT, **kwargs):
    return import_file(engine, "ES", content, filename="hubspot-deals.csv", **kwargs)


def counts(outcome) -> tuple[int, int, int, int, int]:
    return outcome.created, outcome.updated, outcome.unchanged, outcome.skipped, outcome.rejected


# --- the vendors' default layouts ---------------------------------------------------------------------


def test_the_overview_lists_pipelines_and_the_stage_labels_rollout_does_not_know():
    seen = overview(HUBSPOT, "hubspot-deals.csv", CONFIG)
    assert seen.format == "hubspot"
    assert seen.pipelines == {"Sales Pipeline": 6, "Partner Pipeline": 2}
    assert [label.label for label in seen.unknown_stages()] == [
        "Discovery call",
        "Demo done",
        "Verbal yes",
        "Partner sourced",
    ]
    assert seen.preview[0]["amount"] == Decimal("18000.00")
    # Only the chosen pipelines' stages are asked about.
    sales_only = seen.unknown_stages(SALES)
    assert [(label.label, label.deals) for label in sales_only][-1] == ("Verbal yes", 1)
    assert "Partner sourced" not in [label.label for label in sales_only]


def test_unknown_stages_without_a_map_refuse_the_file_naming_each_row(engine, spain):
    outcome = import_hubspot(engine)
    assert outcome.refused
    assert [(p.data_row, p.line, p.column) for p in outcome.problems] == [
        (1, 2, "Deal Stage"),
        (2, 3, "Deal Stage"),
        (3, 4, "Deal Stage"),
        (6, 7, "Deal Stage"),
    ]
    assert outcome.problems[0].problem.startswith("'Discovery call' is not a known stage (")
    assert count(engine, Opportunity) == 0


def test_a_hubspot_export_with_custom_stages_and_two_pipelines_imports_with_its_choices(engine, spain):
    outcome = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    assert (outcome.refused, counts(outcome)) == (False, (6, 0, 0, 2, 0))
    assert outcome.summary() == "created 6, updated 0, unchanged 0, skipped 2, rejected 0"
    deals = deals_by_crm_id(engine, "ES")
    assert sorted(deals) == ["31001", "31002", "31003", "31004", "31005", "31008"]
    assert (deals["31001"].stage, deals["31002"].stage, deals["31003"].stage) == (
        "qualified",
        "presentation",
        "negotiation",
    )
    # The won deal closing on 2026-12-15, ahead of TODAY, counts as won today and keeps its CRM date.
    won = deals["31004"]
    assert (won.stage, won.closed_on, won.crm_closed_on) == ("won", TODAY, date(2026, 12, 15))
    assert [w.data_row for w in outcome.warnings] == [4]
    assert (won.name, won.account, won.source) == ("Ferrocarril Norte", "Ferrocarril del Norte", "hubspot")
    skipped = [(c.crm_id, c.new) for c in outcome.changes if c.action == "skipped"]
    assert skipped == [
        ("31006", "pipeline 'Partner Pipeline' is not taken"),
        ("31007", "pipeline 'Partner Pipeline' is not taken"),
    ]


def test_a_stage_mapped_to_skip_leaves_its_deals_out(engine, spain):
    stages = HUBSPOT_STAGE_MAP | {"Verbal yes": SKIP, "Partner sourced": SKIP}
    outcome = import_hubspot(engine, stages=stages)
    assert counts(outcome) == (6, 0, 0, 2, 0)
    assert "31003" not in deals_by_crm_id(engine, "ES")
    assert "31007" in deals_by_crm_id(engine, "ES")  # the partner pipeline's won deal: every pipeline taken


def test_stage_map_labels_compare_like_stage_aliases(engine, spain):
    stages = {"DISCOVERY_CALL": "qualified", "demo-done": "presentation", "verbal yes": "negotiation"}
    assert counts(import_hubspot(engine, stages=stages, pipelines=SALES)) == (6, 0, 0, 2, 0)


def test_a_stage_map_naming_an_unknown_stage_is_refused(engine, spain):
    with pytest.raises(RolloutError, match="'Demo done' is mapped to 'demo', which is not a Rollout stage"):
        import_hubspot(engine, stages={"Demo done": "demo"})
    assert count(engine, Opportunity) == 0


def test_what_is_wrong_in_a_pipeline_not_taken_refuses_nothing(engine, spain):
    # A partner deal with an amount the reader cannot read, and a renewal with no account: neither is
    # taken, so each is skipped (once), not a problem; a bad row of the pipeline taken still refuses.
    lines = HUBSPOT.decode("utf-8").splitlines()
    partner = next(n for n, line in enumerate(lines) if ",Partner Pipeline," in line)
    cells = next(csv.reader([lines[partner]]))
    cells[4] = "about 5k"
    lines[partner] = _csv_line(cells)
    renewal = ["39001", "Renewal", "Renewals", "Closed won", "x", *[""] * 8]
    lines.append(_csv_line(renewal))
    content = ("\n".join(lines) + "\n").encode("utf-8")
    outcome = import_hubspot(engine, content, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    assert (outcome.refused, counts(outcome)) == (False, (6, 0, 0, 3, 0))
    skipped = [(c.crm_id, c.new) for c in outcome.changes if c.action == "skipped"]
    assert (cells[0], "pipeline 'Partner Pipeline' is not taken") in skipped
    assert ("39001", "pipeline 'Renewals' is not taken") in skipped
    # The same bad amount in a deal of the pipeline taken refuses the file, naming the row and column.
    taken = content.replace(b",Partner Pipeline,", b",Sales Pipeline,", 1)
    refused = import_hubspot(engine, taken, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    assert refused.refused and [(p.data_row, p.column) for p in refused.problems] == [(partner, "Amount")]
    assert count(engine, Opportunity) == 6  # only the first import's deals


def _csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def test_pipelines_chosen_must_take_some_deals_of_a_file_that_has_them(engine, spain):
    with pytest.raises(CrmFileError, match="none of its pipelines is taken"):
        import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=["Sales pipline"])
    with pytest.raises(CrmFileError, match="the file has no pipeline column"):
        import_file(engine, "ES", SALESFORCE, filename="report.csv", pipelines=SALES)


def test_a_salesforce_report_in_windows_1252_with_custom_stages_imports(engine, spain):
    stages = {"Discovery": "qualified", "Proposal made": "proposal"}
    outcome = import_file(engine, "ES", SALESFORCE, filename="report.csv", stages=stages)
    assert (outcome.format, counts(outcome)) == ("salesforce", (5, 0, 0, 0, 0))
    deals = deals_by_crm_id(engine, "ES")
    first = deals["0065g00000XyZaAAAB"]
    assert (first.name, first.account, first.owner, first.amount) == (
        "SG Paiements – Phase 2",
        "Société Générale Paiements",
        "Élodie Martin",
        Decimal("125000.00"),
    )
    won = deals["0065g00000XyZaCAAB"]
    assert (won.closed_on, won.crm_closed_on) == (TODAY, date(2026, 12, 20))
    assert deals["0065g00000XyZaBAAB"].stage == "proposal"


def test_choices_are_saved_with_the_mapping_and_found_again(engine, spain):
    with write_session(engine) as session:
        save_mapping(
            session,
            name="HubSpot ES",
            columns={},
            by=ACTOR,
            format="hubspot",
            stages=HUBSPOT_STAGE_MAP,
            pipelines=SALES,
        )
    with read_session(engine) as session:
        saved = saved_choices(session)["HubSpot ES"]
    assert (saved.format, saved.columns, saved.stages, saved.pipelines) == (
        "hubspot",
        {},
        HUBSPOT_STAGE_MAP,
        SALES,
    )
    with write_session(engine) as session, pytest.raises(RolloutError, match="not a Rollout stage"):
        save_mapping(session, name="Bad", columns={}, by=ACTOR, format="hubspot", stages={"X": "nope"})


def test_a_stage_map_file_has_a_label_and_a_stage_key_per_line():
    content = b"File stage,Rollout stage\nDiscovery call,qualified\nPartner sourced,skip\n"
    assert parse_stage_map(content, "map.csv", CONFIG) == {
        "Discovery call": "qualified",
        "Partner sourced": SKIP,
    }
    assert parse_stage_map(b"Demo done,presentation\n", "map.csv", CONFIG) == {"Demo done": "presentation"}
    with pytest.raises(RolloutError, match=r"map.csv: line 2: 'demo' is not a Rollout stage key"):
        parse_stage_map(b"Discovery call,qualified\nDemo done,demo\n", "map.csv", CONFIG)
    with pytest.raises(RolloutError, match="line 1: expected 2 values"):
        parse_stage_map(b"Discovery call\n", "map.csv", CONFIG)


# --- CRM ids per source -------------------------------------------------------------------------------


SHARED_ID = "0065g00000XyZaAAAB"


def hubspot_with_id(crm_id: str, amount: str = "100") -> bytes:
    row = (crm_id, "Same id, other CRM", "Sales Pipeline", "Closed won", amount, "03/31/2026", "01/15/2026",
           "Ana", "Otro SL")  # fmt: skip
    return crm_export(HUBSPOT_DEFAULT_HEADERS, [row])


def salesforce_with_id(crm_id: str) -> bytes:
    row = (crm_id, "Salesforce deal", "Acme", "Closed Won", "500", "03/31/2026", "01/15/2026", "Bo")
    return crm_export(SALESFORCE_DEFAULT_HEADERS, [row])


def test_equal_ids_from_two_crms_are_two_deals_and_each_updates_its_own(engine, spain):
    assert import_file(engine, "ES", salesforce_with_id(SHARED_ID)).created == 1
    assert import_file(engine, "ES", hubspot_with_id(SHARED_ID)).created == 1
    outcome = import_file(engine, "ES", hubspot_with_id(SHARED_ID, amount="150"))
    assert counts(outcome) == (0, 1, 0, 0, 0)
    with read_session(engine) as session:
        rows = session.exec(text("SELECT source, amount FROM opportunity ORDER BY source")).all()  # type: ignore[call-overload]
    assert [tuple(r) for r in rows] == [("hubspot", 15000), ("salesforce", 50000)]


def test_rollouts_own_export_imports_back_into_the_same_sources(engine, spain):
    import_file(engine, "ES", salesforce_with_id(SHARED_ID))
    import_file(engine, "ES", hubspot_with_id(SHARED_ID))
    with read_session(engine) as session:
        exported = export_deals_csv(session, "ES")
    header = next(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    mapping = {field: field for field in header}
    outcome = import_file(engine, "ES", exported, filename="export.csv", format="mapped", mapping=mapping)
    assert (outcome.problems, counts(outcome)) == ([], (0, 0, 2, 0, 0))


def test_a_source_rollout_does_not_know_is_a_row_problem(engine, spain):
    content = b"crm_id,account,amount,stage,crm_source\n7,Acme,10,won,pipedrive\n"
    mapping = {"crm_id": "crm_id", "account": "account", "amount": "amount", "stage": "stage"}
    outcome = import_file(
        engine, "ES", content, format="mapped", mapping=mapping | {"crm_source": "crm_source"}
    )
    assert outcome.refused
    assert outcome.problems[0].column == "crm_source"


def test_the_database_refuses_a_second_deal_with_the_same_source_and_id(engine, spain):
    import_file(engine, "ES", hubspot_with_id("42"))
    with pytest.raises(DatabaseError), write_session(engine) as session:
        session.add(Opportunity(**{**deals_by_crm_id(engine)["42"].model_dump(), "id": None}))


# --- history and change list -----------------------------------------------------------------------------


def test_each_written_import_is_kept_with_its_counts_hash_choices_and_changes(engine, spain):
    first = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES, mapping_name="HubSpot ES")
    changed = HUBSPOT.replace(b"9,500.50", b"9,900.00").replace(b"Demo done", b"Verbal yes")
    second = import_hubspot(engine, changed, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    with read_session(engine) as session:
        history = imports(session, "ES")
        changes = import_changes(session, second.import_id)
    assert [entry.id for entry in history] == [second.import_id, first.import_id]
    latest = history[0]
    assert (latest.imported_by, latest.filename, latest.format) == (ACTOR, "hubspot-deals.csv", "hubspot")
    assert latest.sha256 == hashlib.sha256(changed).hexdigest()
    assert (latest.created, latest.updated, latest.unchanged, latest.skipped) == (0, 1, 5, 2)
    assert latest.mapping["stages"] == HUBSPOT_STAGE_MAP and latest.mapping["pipelines"] == SALES
    assert history[1].mapping["name"] == "HubSpot ES"
    assert len(latest.warnings) == 1 and "2026-12-15" in latest.warnings[0]
    updated = [(c.crm_id, c.field, c.old, c.new) for c in changes if c.action == "updated"]
    assert updated == [
        ("31002", "amount", "9500.50", "9900.00"),
        ("31002", "stage", "presentation", "negotiation"),
    ]
    assert [c.crm_id for c in changes if c.action == "skipped"] == ["31006", "31007"]
    lines = changes_csv(changes).decode("utf-8-sig").splitlines()
    assert lines[0] == "crm_id,deal_name,action,field,old,new"
    assert "31002,Azul Seguros pilot,updated,amount,9500.50,9900.00" in lines


def test_the_first_imports_change_list_names_each_deal_created(engine, spain):
    outcome = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    created = [(c.crm_id, c.name) for c in outcome.changes if c.action == "created"]
    assert created[:2] == [("31001", "Nordwind roll-out"), ("31002", "Azul Seguros pilot")]
    assert len(created) == 6


def test_dry_runs_and_refused_files_leave_no_history(engine, spain):
    import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, dry_run=True)
    import_hubspot(engine)  # refused: unknown stages
    assert count(engine, DealImport) == 0


def test_the_history_is_append_only(engine, spain):
    import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    for statement in ("UPDATE dealimport SET created = 0", "DELETE FROM dealimportchange"):
        with pytest.raises(DatabaseError), engine.begin() as connection:
            connection.execute(text(statement))
    assert count(engine, DealImportChange) == 8


def edit_in_rollout(engine, crm_id: str, **changes) -> None:
    deal = deals_by_crm_id(engine, "ES")[crm_id]
    with write_session(engine) as session:
        update_opportunity(session, opportunity_id=deal.id, changes=changes, by=ACTOR, today=TODAY)


def test_a_reimport_lists_the_fields_changed_in_rollout_it_would_overwrite(engine, spain):
    import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    edit_in_rollout(engine, "31001", owner="Pau")
    edit_in_rollout(engine, "31002", account="Azul Seguros SA")
    check = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES, dry_run=True)
    assert [(c.crm_id, c.field, c.old, c.new) for c in check.conflicts] == [
        ("31001", "owner", "Pau", "Inés Navarro"),
        ("31002", "account", "Azul Seguros SA", "Azul Seguros"),
    ]
    # Rollout's values kept for this file: nothing changes, and the conflicts are still known next time.
    kept = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES, keep_rollout_edits=True)
    assert (kept.updated, len(kept.conflicts)) == (0, 2)
    assert deals_by_crm_id(engine, "ES")["31001"].owner == "Pau"
    # The CRM's values: the change list shows Rollout's value as the old one; then nothing conflicts.
    crm = import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    updated = [(c.crm_id, c.field, c.old, c.new) for c in crm.changes if c.action == "updated"]
    assert updated == [
        ("31001", "owner", "Pau", "Inés Navarro"),
        ("31002", "account", "Azul Seguros SA", "Azul Seguros"),
    ]
    assert import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES, dry_run=True).conflicts == []


def test_a_field_the_crm_also_changed_to_rollouts_value_is_no_conflict(engine, spain):
    import_hubspot(engine, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    edit_in_rollout(engine, "31001", owner="Pau")
    same = HUBSPOT.replace("10:02,Inés Navarro,".encode(), b"10:02,Pau,")
    assert same != HUBSPOT
    assert import_hubspot(engine, same, stages=HUBSPOT_STAGE_MAP, pipelines=SALES).conflicts == []


# --- valid rows only -------------------------------------------------------------------------------------


def test_valid_rows_import_and_the_refused_ones_come_back_with_their_problem(engine, spain):
    bad = HUBSPOT.replace(b"9,500.50", b"nine thousand")  # row 2; rows 6 and 7: an unknown stage
    outcome = import_hubspot(
        engine, bad, stages={k: v for k, v in HUBSPOT_STAGE_MAP.items()}, valid_rows=True
    )
    assert (outcome.refused, outcome.partial) == (False, True)
    assert counts(outcome) == (6, 0, 0, 0, 2)
    assert sorted(deals_by_crm_id(engine, "ES")) == ["31001", "31003", "31004", "31005", "31007", "31008"]
    rejected = rejected_rows_csv(bad, "hubspot-deals.csv", outcome.problems)
    rows = list(csv.DictReader(io.StringIO(rejected.decode("utf-8-sig"))))
    assert [(r["Record ID"], r["problem"].split(":")[0]) for r in rows] == [
        ("31002", "Amount"),
        ("31006", "Deal Stage"),
    ]
    assert "'nine thousand' is not an amount" in rows[0]["problem"]
    # Fixed and imported again, the refused rows are created; nothing doubles.
    fixed = rejected.replace(b"nine thousand", b"9500.50")
    again = import_hubspot(engine, fixed, stages=HUBSPOT_STAGE_MAP | {"Partner sourced": "qualified"})
    assert counts(again) == (2, 0, 0, 0, 0)
    assert counts(
        import_hubspot(engine, HUBSPOT, stages=HUBSPOT_STAGE_MAP | {"Partner sourced": "qualified"})
    ) == (
        0,
        0,
        8,
        0,
        0,
    )


def test_without_valid_rows_one_bad_row_still_refuses_the_whole_file(engine, spain):
    bad = HUBSPOT.replace(b"9,500.50", b"nine thousand")
    outcome = import_hubspot(engine, bad, stages=HUBSPOT_STAGE_MAP, pipelines=SALES)
    assert (outcome.refused, outcome.partial, count(engine, Opportunity)) == (True, False, 0)


def test_the_rejected_file_of_a_semicolon_export_keeps_its_delimiter(engine, spain):
    outcome = import_file(engine, "ES", SALESFORCE, filename="report.csv", valid_rows=True)
    assert counts(outcome)[0] == 3
    rejected = rejected_rows_csv(SALESFORCE, "report.csv", outcome.problems).decode("utf-8-sig")
    assert rejected.splitlines()[0].endswith(";Opportunity ID;problem")
    assert "125.000,00" in rejected  # the amount as written, still read with its decimal comma


def test_importing_the_old_hubspot_test_file_still_works(engine, spain):
    assert import_file(engine, "ES", HUBSPOT_FILE.read_bytes(), filename="h.csv").created == 4
