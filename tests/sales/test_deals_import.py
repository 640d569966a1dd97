"""Importing CRM deals for a country (idempotent by CRM id), exporting them, and saved column mappings."""

from __future__ import annotations

import csv
import gc
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from rollout.platform.db import read_session, write_session
from rollout.platform.errors import NotFound, RolloutError
from rollout.platform.models import ImportMapping, Opportunity, StageChange
from rollout.sales.crm_files import CrmFileError, RowProblem, suggest_mapping
from rollout.sales.deals_import import (
    EXPORT_FIELDS,
    export_deals_csv,
    import_deals,
    save_mapping,
    saved_mappings,
)
from rollout.sales.pipeline import load_pipeline_config, opportunities, update_opportunity
from tests.conftest import ACTOR, TODAY
from tests.factories import add, count
from tests.sales_factories import (
    HUBSPOT_DEFAULT_HEADERS,
    HUBSPOT_FILE,
    HUBSPOT_IDS,
    SALESFORCE_DEFAULT_HEADERS,
    crm_export,
    deal,
    deals_by_crm_id,
    history,
    import_file,
)

HUBSPOT = HUBSPOT_FILE.read_bytes()
CONFIG = load_pipeline_config()


@pytest.fixture
def spain(engine):
    add(engine, "ES", date(2026, 1, 1))
    return "ES"


def import_hubspot(engine, content: bytes = HUBSPOT, code: str = "ES", **kwargs):
    return import_file(engine, code, content, filename="hubspot_deals.csv", **kwargs)


def counts(outcome) -> tuple[int, int, int, int]:
    return outcome.created, outcome.updated, outcome.unchanged, outcome.rejected


def csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


# --- importing --------------------------------------------------------------------------------------


def test_importing_a_hubspot_export_creates_its_deals(engine, spain):
    outcome = import_hubspot(engine)
    assert (outcome.format, counts(outcome), outcome.problems) == ("hubspot", (4, 0, 0, 0), [])
    assert outcome.summary() == "created 4, updated 0, unchanged 0, rejected 0"
    deals = deals_by_crm_id(engine, "ES")
    assert sorted(deals) == HUBSPOT_IDS
    won, contract, lost, appointment = (deals[i] for i in HUBSPOT_IDS)
    assert (won.account, won.amount, won.currency, won.stage, won.source, won.owner) == (
        "Acme Corp",
        Decimal("12500.00"),
        "USD",
        "won",
        "hubspot",
        "Dana Scully",
    )
    assert (won.created_on, won.expected_close, won.closed_on) == (
        date(2026, 1, 15),
        date(2026, 3, 31),
        date(2026, 3, 31),  # a closed deal's Close Date is when it closed
    )
    assert (contract.name, contract.account, contract.stage, contract.closed_on) == (
        "Globex expansion, phase 2",
        "Globex",
        "negotiation",
        None,
    )
    assert (lost.stage, lost.closed_on, lost.amount) == ("lost", date(2026, 4, 15), Decimal("7250.50"))
    assert lost.lost_reason == 'Went with a competitor, cheaper\r\n(see "call notes")'  # as in the file
    assert (appointment.currency, appointment.amount, appointment.created_on, appointment.expected_close) == (
        "EUR",  # no currency in the file: the country's
        Decimal("0.00"),
        date(2026, 3, 2),
        None,
    )
    assert history(engine, won.id) == [("won", date(2026, 3, 31))]
    assert history(engine, appointment.id) == [("appointment_scheduled", date(2026, 3, 2))]
    assert count(engine, StageChange) == 4


def test_an_import_leaves_the_cyclic_garbage_collector_on(engine, spain, monkeypatch):
    """A server runs other users' sessions beside an import: the collector is the whole process's. The
    parsed rows are frozen out of its full collections while the import runs, and only then."""
    from rollout.platform import bulk
    from rollout.sales import deals_import

    seen = []
    insert_rows = bulk.insert_rows

    def watched(*args, **kwargs):
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return insert_rows(*args, **kwargs)

    monkeypatch.setattr(deals_import.bulk, "insert_rows", watched)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert import_hubspot(engine).created == 4
    assert seen and all(enabled for enabled, _ in seen) and any(frozen for _, frozen in seen)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with pytest.raises(NotFound):  # unfrozen when the import fails after reading the file too
        import_hubspot(engine, code="PT")
    assert gc.get_freeze_count() == 0


def test_an_import_tells_its_progress_checked_then_written(engine, spain, monkeypatch):
    from rollout.sales import deals_import

    monkeypatch.setattr(deals_import, "CHUNK", 3)  # 4 deals: two chunks each step
    told = []
    outcome = import_hubspot(engine, progress=lambda step, done, total: told.append((step, done, total)))
    assert outcome.created == 4
    assert told == [("checked", 3, 4), ("checked", 4, 4), ("written", 3, 4), ("written", 4, 4)]


def test_a_dry_run_tells_only_its_checks(engine, spain):
    told = []
    import_hubspot(engine, dry_run=True, progress=lambda step, done, total: told.append(step))
    assert told == ["checked"]


def test_importing_the_same_file_again_changes_nothing(engine, spain):
    import_hubspot(engine)
    before = deals_by_crm_id(engine)
    outcome = import_hubspot(engine)
    assert counts(outcome) == (0, 0, 4, 0)
    assert (count(engine, Opportunity), count(engine, StageChange)) == (4, 4)
    after = deals_by_crm_id(engine)
    assert {k: o.updated_at for k, o in after.items()} == {k: o.updated_at for k, o in before.items()}


def test_a_changed_amount_updates_that_deal_only(engine, spain):
    import_hubspot(engine)
    outcome = import_hubspot(engine, HUBSPOT.replace(b",48000,", b",49000.5,"), by="other@rollout.example")
    assert counts(outcome) == (0, 1, 3, 0)
    deals = deals_by_crm_id(engine)
    assert (deals["18293002"].amount, deals["18293002"].updated_by) == (
        Decimal("49000.50"),
        "other@rollout.example",
    )
    assert deals["18293001"].updated_by == ACTOR
    assert (count(engine, Opportunity), count(engine, StageChange)) == (4, 4)  # no stage moved


def test_a_stage_move_on_reimport_is_recorded(engine, spain):
    import_hubspot(engine)
    moved = HUBSPOT.replace(
        b"Contract sent,Sales Pipeline,newbusiness,02/03/2026,06/30/2026",
        b"Closed won,Sales Pipeline,newbusiness,02/03/2026,06/30/2026",
    )
    assert counts(import_hubspot(engine, moved)) == (0, 1, 3, 0)
    globex = deals_by_crm_id(engine)["18293002"]
    assert (globex.stage, globex.closed_on) == ("won", date(2026, 6, 30))
    assert history(engine, globex.id) == [("negotiation", date(2026, 2, 3)), ("won", date(2026, 6, 30))]


def test_an_open_deal_moved_by_a_reimport_enters_its_stage_on_the_import_day(engine, spain):
    """BUG: _write records every stage change of an import as entered on `closed_on or created_on`, so
    an open deal moved by a later import seems to have entered its new stage the day it was created."""
    import_hubspot(engine, today=date(2026, 5, 1))
    moved = HUBSPOT.replace(b"0,Appointment scheduled,", b"0,Qualified to buy,")
    assert counts(import_hubspot(engine, moved, today=date(2026, 6, 1))) == (0, 1, 3, 0)
    umbrella = deals_by_crm_id(engine)["18293004"]
    assert umbrella.stage == "qualified"
    assert history(engine, umbrella.id) == [
        ("appointment_scheduled", date(2026, 3, 2)),
        ("qualified", date(2026, 6, 1)),
    ]


def test_a_dry_run_counts_the_same_and_writes_nothing(engine, spain):
    dry = import_hubspot(engine, dry_run=True)
    assert counts(dry) == (4, 0, 0, 0)
    assert (count(engine, Opportunity), count(engine, StageChange)) == (0, 0)
    import_hubspot(engine)
    changed = HUBSPOT.replace(b",48000,", b",1,")
    assert counts(import_hubspot(engine, changed, dry_run=True)) == (0, 1, 3, 0)
    assert deals_by_crm_id(engine)["18293002"].amount == Decimal("48000.00")
    assert counts(import_hubspot(engine, changed)) == (0, 1, 3, 0)  # the real run agrees


def test_an_unknown_stage_refuses_the_file(engine, spain):
    outcome = import_hubspot(engine, HUBSPOT.replace(b"Contract sent", b"Contract maybe"))
    assert outcome.refused is True
    assert counts(outcome) == (0, 0, 0, 1)
    assert outcome.problems == [
        RowProblem(
            2,
            3,
            "Deal Stage",  # named as in the file
            "'Contract maybe' is not a known stage (Appointment scheduled, Qualified, Presentation, "
            "Proposal, Negotiation, Won, Lost): map it to one of them, or skip its deals",
        )
    ]
    assert (count(engine, Opportunity), count(engine, StageChange)) == (0, 0)


def test_a_bad_value_refuses_the_file_with_the_parsers_problems(engine, spain):
    outcome = import_hubspot(engine, HUBSPOT.replace(b",48000,", b",forty,"))
    assert counts(outcome) == (0, 0, 0, 1)
    [problem] = outcome.problems
    assert (problem.data_row, problem.line, problem.column) == (2, 3, "Amount")
    assert count(engine, Opportunity) == 0


def test_a_crm_id_of_another_country_is_refused(engine, spain):
    add(engine, "IN", date(2026, 1, 1))
    import_hubspot(engine)
    outcome = import_hubspot(engine, code="IN")
    assert counts(outcome) == (0, 0, 0, 4)
    assert outcome.problems[0] == RowProblem(1, 2, "Record ID", "deal 18293001 belongs to ES, not IN")
    assert deals_by_crm_id(engine, "IN") == {}
    assert count(engine, Opportunity) == 4


def test_one_bad_row_among_new_ones_writes_nothing(engine, spain):
    content = csv_text(
        [
            [
                "Record ID",
                "Associated Company",
                "Amount",
                "Deal Stage",
                "Create Date",
                "Close Date",
                "Deal owner",
            ],
            ["n1", "New one", "10", "Appointment scheduled", "2026-11-01", "", ""],
            ["n2", "Future", "10", "Appointment scheduled", "2026-11-27", "", ""],
        ]
    )
    outcome = import_file(engine, "ES", content)
    assert outcome.problems == [RowProblem(2, 3, "Create Date", "2026-11-27 is in the future")]
    assert count(engine, Opportunity) == 0


MAPPED_HEADER = ["ID", "Account", "Amount", "Stage", "Created", "Expected close", "Closed on"]


def import_mapped(engine, rows: list[list[str]], code="ES", **kwargs):
    content = csv_text([MAPPED_HEADER, *rows])
    return import_file(
        engine, code, content, format="mapped", mapping=suggest_mapping(MAPPED_HEADER), **kwargs
    )


def test_closed_deals_get_a_close_date(engine, spain):
    outcome = import_mapped(
        engine,
        [
            ["w1", "Closed on given", "100", "Won", "2026-01-10", "2026-03-31", "2026-03-20"],
            ["w2", "Only expected", "100", "Closed Lost", "2026-01-10", "2026-04-30", ""],
            ["w3", "No date", "100", "closedwon", "2026-01-10", "", ""],
            ["w4", "No dates at all", "100", "Won", "", "", ""],
            ["o1", "Open", "100", "Proposal", "2026-01-10", "2027-01-31", "2026-03-01"],
        ],
    )
    assert (outcome.format, counts(outcome)) == ("mapped", (5, 0, 0, 0))
    deals = deals_by_crm_id(engine)
    assert {k: (o.created_on, o.closed_on) for k, o in deals.items()} == {
        "w1": (date(2026, 1, 10), date(2026, 3, 20)),
        "w2": (date(2026, 1, 10), date(2026, 4, 30)),
        "w3": (date(2026, 1, 10), TODAY),
        "w4": (TODAY, TODAY),
        "o1": (date(2026, 1, 10), None),  # an open deal has no close date, and may expect one later
    }
    assert {o.source for o in deals.values()} == {"csv"}


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            ["w2", "Won before created", "1", "Won", "2026-03-10", "2026-03-09", ""],
            RowProblem(1, 2, "Closed on", "is before the deal was created"),
        ),
    ],
)
def test_impossible_close_dates_are_refused(engine, spain, row, problem):
    outcome = import_mapped(engine, [row])
    assert outcome.problems == [problem]
    assert count(engine, Opportunity) == 0


def test_closed_deals_dated_ahead_count_as_closed_on_the_import_day_with_a_warning(engine, spain):
    outcome = import_mapped(
        engine,
        [
            ["w1", "Won later", "1", "Closed Won", "2026-01-10", "2026-12-15", ""],
            ["l1", "Lost later", "1", "Lost", "2026-01-10", "", "2026-11-27"],
            ["w2", "Won earlier", "1", "Won", "2026-01-10", "2026-03-31", ""],
        ],
    )
    assert (outcome.problems, counts(outcome)) == ([], (3, 0, 0, 0))
    assert outcome.warnings == [
        RowProblem(
            1,
            2,
            "Closed on",
            "a won deal closing on 2026-12-15, in the future: counted as closed on 2026-11-26, its CRM "
            "close date kept",
        ),
        RowProblem(
            2,
            3,
            "Closed on",
            "a lost deal closing on 2026-11-27, in the future: counted as closed on 2026-11-26, its CRM "
            "close date kept",
        ),
    ]
    deals = deals_by_crm_id(engine)
    assert {k: (o.closed_on, o.crm_closed_on) for k, o in deals.items()} == {
        "w1": (TODAY, date(2026, 12, 15)),
        "l1": (TODAY, date(2026, 11, 27)),
        "w2": (date(2026, 3, 31), None),
    }
    assert history(engine, deals["w1"].id) == [("won", TODAY)]


def test_a_deal_dated_ahead_keeps_its_counted_day_on_later_reimports(engine, spain):
    row = ["w1", "Won later", "1", "Closed Won", "2026-01-10", "2026-12-15", ""]
    import_mapped(engine, [row])
    later = import_mapped(engine, [row], today=TODAY + timedelta(days=3))
    assert (counts(later), len(later.warnings)) == ((0, 0, 1, 0), 1)
    past_its_date = import_mapped(engine, [row], today=date(2026, 12, 20))
    assert (counts(past_its_date), past_its_date.warnings) == ((0, 0, 1, 0), [])
    moved = import_mapped(engine, [[*row[:5], "2027-01-20", ""]], today=date(2026, 12, 20))
    assert counts(moved) == (0, 1, 0, 0)
    stored = deals_by_crm_id(engine)["w1"]
    assert (stored.closed_on, stored.crm_closed_on) == (TODAY, date(2027, 1, 20))


def test_a_deal_dated_ahead_exports_its_crm_date_and_imports_back_unchanged(engine, spain):
    import_mapped(engine, [["w1", "Won later", "1", "Closed Won", "2026-01-10", "2026-12-15", ""]])
    assert exported_rows(engine)[0]["closed_on"] == "2026-12-15"
    with read_session(engine) as session:
        content = export_deals_csv(session, "ES")
    mapping = suggest_mapping(list(EXPORT_FIELDS))
    outcome = import_file(engine, "ES", content, format="mapped", mapping=mapping, today=TODAY + timedelta(1))
    assert counts(outcome) == (0, 0, 1, 0)


def test_reopening_a_deal_dated_ahead_forgets_its_crm_close_date(engine, spain):
    import_mapped(engine, [["w1", "Won later", "1", "Closed Won", "2026-01-10", "2026-12-15", ""]])
    with write_session(engine) as session:
        deal_id = session.exec(select(Opportunity.id)).one()
        update_opportunity(
            session, opportunity_id=deal_id, changes={"stage": "qualified"}, by=ACTOR, today=TODAY
        )
    stored = deals_by_crm_id(engine)["w1"]
    assert (stored.closed_on, stored.crm_closed_on) == (None, None)


def test_importing_into_an_unknown_country_is_refused(engine, spain):
    with pytest.raises(NotFound, match=r"FR \(France\) is not in the rollout yet"):
        import_hubspot(engine, code="FR")


def test_an_unreadable_file_raises_a_crm_file_error(engine, spain):
    with pytest.raises(CrmFileError, match="not a HubSpot deals or Salesforce opportunities export"):
        import_file(engine, "ES", b"Name,Value\nA,1\n")


def test_the_importer_must_be_named(engine, spain):
    with pytest.raises(RolloutError, match="'' is not an email address"), write_session(engine) as session:
        import_deals(session, code="ES", content=HUBSPOT, filename="x.csv", by="", today=TODAY)


# --- exporting --------------------------------------------------------------------------------------


def exported_rows(engine, code="ES") -> list[dict[str, str]]:
    with read_session(engine) as session:
        content = export_deals_csv(session, code)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))  # with the BOM Excel needs


def test_export_then_import_is_a_round_trip(engine, spain):
    import_hubspot(engine)
    manual = deal(
        engine,
        "ES",
        account='Manual, "quoted" S.L.',
        amount="1234.5",
        segment="Mid-market",
        owner="ana@rollout.example",
        created_on=date(2026, 10, 1),
        expected_close=date(2027, 1, 15),
    )
    with read_session(engine) as session:
        content = export_deals_csv(session, "ES")
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(header) == EXPORT_FIELDS
    mapping = suggest_mapping(header)
    assert mapping == {field: field for field in EXPORT_FIELDS}
    before = deals_by_crm_id(engine)
    outcome = import_file(engine, "ES", content, filename="es-deals.csv", format="mapped", mapping=mapping)
    assert counts(outcome) == (0, 0, 5, 0)
    assert (count(engine, Opportunity), count(engine, StageChange)) == (5, 5)
    assert deals_by_crm_id(engine)[f"rollout-{manual}"].segment == "mid_market"
    assert {k: o.updated_at for k, o in deals_by_crm_id(engine).items()} == {
        k: o.updated_at for k, o in before.items()
    }


def test_export_writes_one_row_per_deal_of_the_country(engine, spain):
    add(engine, "IN", date(2026, 1, 1))
    first = deal(engine, "ES", account="Acme", amount="10", segment="smb", created_on=date(2026, 10, 1))
    deal(engine, "IN", account="Tata")
    rows = exported_rows(engine)
    assert rows == [
        {
            "crm_id": f"rollout-{first}",
            "name": "",
            "account": "Acme",
            "amount": "10.00",
            "currency": "EUR",
            "stage": "appointment_scheduled",
            "created_on": "2026-10-01",
            "expected_close": "",
            "closed_on": "",
            "owner": "",
            "segment": "smb",
            "lost_reason": "",
            "crm_source": "manual",
        }
    ]


def test_export_neutralises_formula_like_cells(engine, spain):
    formula = '=HYPERLINK("http://evil.example","click")'
    deal(engine, "ES", account=formula, owner="@owner", lost_reason="-1+1")
    [row] = exported_rows(engine)
    assert (row["account"], row["owner"], row["lost_reason"]) == ("'" + formula, "'@owner", "'-1+1")


# --- saved mappings ---------------------------------------------------------------------------------


def test_mappings_are_saved_loaded_and_overwritten(engine):
    with write_session(engine) as session:
        save_mapping(session, name=" Pipedrive ", columns={"crm_id": "Deal #", "account": "Org"}, by=ACTOR)
        save_mapping(session, name="Attio", columns={"crm_id": "ID"}, by=ACTOR)
    with write_session(engine) as session:
        save_mapping(session, name="Pipedrive", columns={"crm_id": "Deal ID"}, by="other@rollout.example")
    with read_session(engine) as session:
        assert saved_mappings(session) == {"Attio": {"crm_id": "ID"}, "Pipedrive": {"crm_id": "Deal ID"}}
        assert session.get(ImportMapping, "Pipedrive").updated_by == "other@rollout.example"
    assert count(engine, ImportMapping) == 2


@pytest.mark.parametrize(("name", "by"), [("  ", ACTOR), ("Pipedrive", "nobody")])
def test_a_mapping_needs_a_name_and_an_author(engine, name, by):
    with pytest.raises(RolloutError), write_session(engine) as session:
        save_mapping(session, name=name, columns={"crm_id": "ID"}, by=by)
    assert count(engine, ImportMapping) == 0


def test_a_mapping_without_a_name_says_so(engine):
    with pytest.raises(RolloutError, match="^mapping name: required"), write_session(engine) as session:
        save_mapping(session, name="", columns={}, by=ACTOR)


# --- property: any valid HubSpot file imports once -----------------------------------------------

STAGE_LABELS = sorted({label for s in CONFIG.stages for label in (s.key, s.name, *s.aliases)})
HUBSPOT_HEADER = [
    "Record ID",
    "Associated Company",
    "Amount",
    "Deal Stage",
    "Create Date",
    "Close Date",
    "Deal owner",
    "Currency",
]


@st.composite
def hubspot_deal(draw) -> list[str]:
    created = draw(st.dates(date(2020, 1, 1), TODAY))
    close = draw(st.one_of(st.none(), st.integers(0, 2000).map(lambda d: min(created + timedelta(d), TODAY))))
    amount = draw(
        st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
    )
    return [
        str(draw(st.integers(1, 10**12))),
        draw(st.text(alphabet="abcXYZ019 ,.&'\"-é", min_size=1, max_size=20).filter(str.strip)),
        f"{amount:.2f}",
        draw(st.sampled_from(STAGE_LABELS)),
        created.isoformat(),
        close.isoformat() if close else "",
        draw(st.sampled_from(["", "Ana Ruiz", "Luis"])),
        draw(st.sampled_from(["", "EUR", "USD", "INR"])),
    ]


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(hubspot_deal(), min_size=1, max_size=6, unique_by=lambda row: row[0]))
def test_any_valid_hubspot_file_imports_once(engine, spain, rows):
    # Stage history is append-only, so each example gets record ids of its own instead of a clean table.
    prefix = uuid.uuid4().hex[:8]
    rows = [[prefix + row[0], *row[1:]] for row in rows]
    before = (count(engine, Opportunity), count(engine, StageChange))
    content = csv_text([HUBSPOT_HEADER, *rows])
    first = import_file(engine, "ES", content)
    assert (first.problems, counts(first)) == ([], (len(rows), 0, 0, 0))
    again = import_file(engine, "ES", content)
    assert counts(again) == (0, 0, len(rows), 0)
    after = (count(engine, Opportunity), count(engine, StageChange))
    assert (after[0] - before[0], after[1] - before[1]) == (len(rows), len(rows))


def test_every_problem_of_a_file_is_reported_at_once(engine, spain):
    """A parse problem (a negative amount) and a domain problem (an unknown stage) in one report."""
    content = HUBSPOT.replace(b"Contract sent", b"Contract maybe").replace(b'"12,500.00"', b'"-12,500.00"')
    outcome = import_hubspot(engine, content)
    columns = {(p.data_row, p.column) for p in outcome.problems}
    assert ("Amount" in {c for _, c in columns}) and ("Deal Stage" in {c for _, c in columns})
    assert count(engine, Opportunity) == 0


def test_reimporting_a_file_without_dates_changes_nothing_the_next_day(engine, spain):
    content = csv_text([MAPPED_HEADER[:4], ["n1", "No dates Ltd", "100", "Qualified"]])
    first = import_file(engine, "ES", content, format="mapped", mapping=suggest_mapping(MAPPED_HEADER[:4]))
    again = import_file(
        engine,
        "ES",
        content,
        format="mapped",
        mapping=suggest_mapping(MAPPED_HEADER[:4]),
        today=TODAY + timedelta(days=1),
    )
    assert (first.created, again.unchanged, again.updated) == (1, 1, 0)


def test_a_currency_without_rates_is_imported_with_a_warning(engine, spain):
    header = [*MAPPED_HEADER[:4], "Currency"]
    content = csv_text([header, ["s1", "Nordic AB", "100", "Qualified", "SEK"]])
    outcome = import_file(engine, "ES", content, format="mapped", mapping=suggest_mapping(header))
    assert not outcome.refused and outcome.missing_rates == ["SEK"]


# --- the vendors' default layouts: the deal's name, and the account from the company column -------------


def hubspot_export(company: str) -> bytes:
    row = ("h1", "Acme renewal", "Sales Pipeline", "Closed won", "900", "11/02/2026", "10/01/2026", "Ann")
    return crm_export(HUBSPOT_DEFAULT_HEADERS, [(*row, company)])


def test_default_exports_keep_the_deal_name_and_take_the_account_from_the_company(engine, spain):
    hubspot = hubspot_export(company="Acme SL")
    salesforce = crm_export(
        SALESFORCE_DEFAULT_HEADERS,
        [("006A", "Beta rollout", "Beta GmbH", "Prospecting", "1200", "01/31/2027", "10/05/2026", "Ben")],
    )
    assert import_file(engine, "ES", hubspot, filename="hubspot.csv").format == "hubspot"
    assert import_file(engine, "ES", salesforce, filename="salesforce.csv").format == "salesforce"
    deals = deals_by_crm_id(engine)
    assert {k: (o.name, o.account, o.source) for k, o in deals.items()} == {
        "h1": ("Acme renewal", "Acme SL", "hubspot"),
        "006A": ("Beta rollout", "Beta GmbH", "salesforce"),
    }
    with read_session(engine) as session:
        assert [o.crm_id for o in opportunities(session, "ES", search="renewal")] == ["h1"]
    assert [(r["crm_id"], r["name"], r["account"]) for r in exported_rows(engine)] == [
        ("h1", "Acme renewal", "Acme SL"),
        ("006A", "Beta rollout", "Beta GmbH"),
    ]


def test_a_hubspot_deal_without_its_company_is_refused_not_named_after_the_deal(engine, spain):
    hubspot = hubspot_export(company="")
    outcome = import_file(engine, "ES", hubspot)
    assert outcome.problems == [
        RowProblem(1, 2, "Associated Company (Primary)", "empty: every deal needs an account")
    ]
