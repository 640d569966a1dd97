"""The Import deals page with a HubSpot export in its default layout."""

from __future__ import annotations

from datetime import date, timedelta

from rollout.platform.models import Opportunity
from tests.app.conftest import assert_clean, count
from tests.sales_factories import HUBSPOT_DEFAULT_HEADERS, crm_export


def hubspot_file(today: date) -> bytes:
    ahead = (today + timedelta(days=10)).strftime("%m/%d/%Y")
    return crm_export(
        HUBSPOT_DEFAULT_HEADERS,
        [
            (
                "9001",
                "Acme renewal",
                "Sales Pipeline",
                "Closed won",
                "1200",
                ahead,
                "01/15/2026",
                "Ana",
                "Acme SL",
            ),
            (
                "9002",
                "Beta pilot",
                "Sales Pipeline",
                "Qualified To Buy",
                "800",
                "",
                "02/01/2026",
                "Ana",
                "Beta SA",
            ),
        ],
    )


def test_a_closed_deal_dated_ahead_is_imported_with_a_warning(demo_app, url):
    at = demo_app.switch_page("app_pages/deals_import.py")
    at.query_params["country"] = "ES"
    at.run()
    deals = count(url, Opportunity)
    at.file_uploader(key="deals_file").upload("hubspot.csv", hubspot_file(date.today())).run()
    at.button(key="deals_import").click().run()
    assert_clean(at)
    assert not at.error
    assert [s.value for s in at.success] == [
        "Imported (hubspot): created 2, updated 0, unchanged 0, rejected 0."
    ]
    assert "1 closed deal(s) dated ahead" in at.warning[0].value
    warnings = next(d.value for d in at.dataframe if "warning" in d.value.columns)
    assert list(warnings["column"]) == ["Close Date"]
    assert warnings["warning"][0].startswith("a won deal closing on ")
    assert count(url, Opportunity) == deals + 2


def test_imported_deal_names_are_shown_in_the_deals_table(demo_app):
    at = demo_app.switch_page("app_pages/deals_import.py")
    at.query_params["country"] = "ES"
    at.run()
    at.file_uploader(key="deals_file").upload("hubspot.csv", hubspot_file(date.today())).run()
    at.button(key="deals_import").click().run()
    at = at.switch_page("app_pages/sales_log.py").run()
    assert_clean(at)
    editor = next(e.value for e in at.dataframe if "crm_id" in e.value.columns)
    imported = editor[editor["crm_id"].isin(["9001", "9002"])]
    assert sorted(zip(imported["name"], imported["account"], strict=True)) == [
        ("Acme renewal", "Acme SL"),
        ("Beta pilot", "Beta SA"),
    ]
    assert list(imported[imported["crm_id"] == "9001"]["crm_closed_on"]) == [
        date.today() + timedelta(days=10)
    ]
