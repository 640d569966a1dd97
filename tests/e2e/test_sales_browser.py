"""A salesperson in the real app: logs a meeting and imports a CRM export; the gate's numbers move."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import open_page, wait_for_app

pytestmark = pytest.mark.e2e
CUSTOM_TSV = Path(__file__).resolve().parents[1] / "data" / "crm" / "custom_pipeline.tsv"
HUBSPOT_DEFAULT_FILE = CUSTOM_TSV.with_name("hubspot_default_export.csv")


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label)
    return box.get_by_test_id("stMetricValue").inner_text()


def hubspot_csv(tmp_path, created: date) -> str:
    day = created.strftime("%m/%d/%Y")
    path = tmp_path / "hubspot-deals-br.csv"
    path.write_text(
        "Record ID,Deal Name,Associated Company,Amount,Deal Stage,Pipeline,Deal Type,Create Date,Close Date,"
        "Deal owner,Currency,Closed lost reason\n"
        f'9100001,Horizonte rollout,Banco Horizonte,"250,000.00",Qualified To Buy,Sales Pipeline,newbusiness,'
        f"{day},{day},Rafael Souza,BRL,\n"
        f"9100002,Aurora pilot,Aurora Varejo,90000,Appointment Scheduled,Sales Pipeline,newbusiness,{day},"
        f"{day},Rafael Souza,BRL,\n",
        encoding="utf-8",
    )
    return str(path)


def test_salesperson_logs_a_meeting_and_imports_deals(page: Page, app_url: str, screenshots, tmp_path):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)

    open_page(page, f"{app_url}/sales_log?country=BR")
    meetings = int(metric(page, "Qualified meetings held"))
    opened = int(metric(page, "Opportunities opened"))
    page.locator(".st-key-signal_qualified").get_by_text(re.compile("Qualified meeting")).click()
    page.locator(".st-key-signal_account input").fill("Banco Horizonte S.A.")
    page.get_by_role("button", name="Log signal").click()
    wait_for_app(page)
    expect(page.get_by_text("Logged: Meeting.")).to_be_visible()
    assert int(metric(page, "Qualified meetings held")) == meetings + 1
    page.screenshot(path=screenshots / "sales_log.png", full_page=True)

    open_page(page, f"{app_url}/deals_import?country=BR")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(
        hubspot_csv(tmp_path, date.today() - timedelta(days=3))
    )
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"Imported \(hubspot\): created 2, updated 0, unchanged 0"))
    ).to_be_visible()
    page.screenshot(path=screenshots / "deals_import.png", full_page=True)

    open_page(page, f"{app_url}/sales_log?country=BR")
    assert int(metric(page, "Opportunities opened")) == opened + 2


def test_a_file_with_a_bad_row_is_refused_in_the_browser(page: Page, app_url: str, tmp_path):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Record ID,Deal Name,Associated Company,Amount,Deal Stage,Pipeline,Deal Type,Create Date,Close Date,"
        "Deal owner\n1,A,Acme,100,Qualified To Buy,P,newbusiness,01/02/2026,03/04/2026,Ann\n"
        "2,B,Beta,-5,Qualified To Buy,P,newbusiness,01/02/2026,03/04/2026,Ann\n",
        encoding="utf-8",
    )
    open_page(page, f"{app_url}/deals_import?country=GB")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(str(bad))
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile("The file was refused and nothing was imported"))).to_be_visible()


def test_another_layout_is_imported_through_a_confirmed_mapping(page: Page, app_url: str, screenshots):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    open_page(page, f"{app_url}/deals_import?country=IT")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(str(CUSTOM_TSV))
    wait_for_app(page)
    page.get_by_text("Another file: map its columns").click()
    wait_for_app(page)
    page.locator(".st-key-map_suggested_from_the_headers_crm_id").click()
    page.get_by_role("option", name="Deal #").click()
    wait_for_app(page)
    page.locator(".st-key-deals_mapping_name input").fill("Nordic partner export")
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Imported \(mapped\): created \d+, updated 0"))).to_be_visible()
    page.screenshot(path=screenshots / "deals_mapping.png", full_page=True)

    # Next time the saved mapping is offered, and re-importing creates nothing new.
    open_page(page, f"{app_url}/deals_import?country=IT")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(str(CUSTOM_TSV))
    wait_for_app(page)
    page.get_by_text("Another file: map its columns").click()
    wait_for_app(page)
    page.locator(".st-key-deals_mapping_start").click()
    page.get_by_role("option", name="Nordic partner export").click()
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"created 0, updated 0, unchanged \d+, rejected 0"))).to_be_visible()


def test_leadership_compares_the_active_markets_side_by_side(page: Page, app_url: str, screenshots, tmp_path):
    from rollout.gates import status as gates
    from rollout.platform.db import make_engine, read_session

    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    open_page(page, f"{app_url}/sales_analytics")
    expect(page.locator(".st-key-markets_chart")).to_have_count(0)  # only the chosen tab runs
    page.get_by_role("tab", name="Markets side by side").click()
    wait_for_app(page)
    engine = make_engine(f"sqlite:///{tmp_path / 'e2e.db'}")
    with read_session(engine) as session:
        statuses = gates.portfolio(session, today=date.today())
    engine.dispose()
    active = {s.country for s in statuses if s.phase != "exited"}
    # The open-pipeline chart: one bar per active market.
    bars = page.locator(".st-key-markets_chart .barlayer .point")
    expect(bars).to_have_count(len(active))
    page.screenshot(path=screenshots / "sales_analytics_side_by_side.png", full_page=True)
    page.get_by_text("Numbers behind the chart").click()
    csv_button = page.locator(".st-key-markets_csv button")
    expect(csv_button).to_be_visible()
    with page.expect_download() as download:
        csv_button.click()
    with Path(download.value.path()).open(encoding="utf-8-sig", newline="") as numbers:
        rows = list(csv.DictReader(numbers))
    assert {row["code"] for row in rows} == active


def test_a_hubspot_export_with_custom_stages_is_imported_through_a_stage_map(
    page: Page, app_url: str, screenshots
):
    open_page(page, app_url)
    page.locator(".st-key-load_demo button").click()
    wait_for_app(page)
    open_page(page, f"{app_url}/deals_import?country=ES")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(str(HUBSPOT_DEFAULT_FILE))
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Read as a HubSpot file \(utf-8, ','-separated\)"))).to_be_visible()
    for label, stage in (
        ("discovery_call", "Qualified"),
        ("demo_done", "Presentation"),
        ("verbal_yes", "Negotiation"),
        ("partner_sourced", "Skip these deals"),
    ):
        page.locator(f".st-key-stage_map_{label}").click()
        page.get_by_role("option", name=stage, exact=True).click()
        wait_for_app(page)
    page.locator(".st-key-deals_mapping_name input").fill("HubSpot Spain")
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(
        page.get_by_text("Imported (hubspot): created 7, updated 0, unchanged 0, skipped 1, rejected 0.")
    ).to_be_visible()
    expect(page.get_by_text("What the import changed")).to_be_visible()
    expect(page.get_by_role("heading", name="Import history")).to_be_visible()
    page.screenshot(path=screenshots / "deals_import_stage_map.png", full_page=True)
    with page.expect_download() as download:
        page.locator(".st-key-import_changes_csv button").click()
    with Path(download.value.path()).open(encoding="utf-8-sig", newline="") as changes:
        rows = list(csv.DictReader(changes))
    assert [row["crm_id"] for row in rows if row["action"] == "skipped"] == ["31006"]

    # The next file of this layout starts from the saved stage map: importing it again changes nothing.
    open_page(page, f"{app_url}/deals_import?country=ES")
    page.locator(".st-key-deals_file input[type=file]").set_input_files(str(HUBSPOT_DEFAULT_FILE))
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"created 0, updated 0, unchanged 7, skipped 1, rejected 0"))
    ).to_be_visible()
