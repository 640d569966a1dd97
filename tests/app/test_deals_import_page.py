"""The Import deals page with a HubSpot export in its default layout."""

from __future__ import annotations

from datetime import date, timedelta

from rollout.platform.models import Opportunity
from tests.app.conftest import assert_clean, count
from tests.sales_factories import HUBSPOT_DEFAULT_FILE, HUBSPOT_DEFAULT_HEADERS, HUBSPOT_STAGE_MAP, crm_export


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
    # the import showed its progress, checking then writing, and ended full
    (bar,) = at.get("progress")
    assert (bar.proto.value, bar.proto.text) == (100, "Written 2 of 2 deals")


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


# --- a HubSpot export as it comes: custom stages, two pipelines --------------------------------------


def upload_hubspot_default(demo_app):
    at = demo_app.switch_page("app_pages/deals_import.py")
    at.query_params["country"] = "ES"
    at.run()
    at.file_uploader(key="deals_file").upload("hubspot-es.csv", HUBSPOT_DEFAULT_FILE.read_bytes()).run()
    assert_clean(at)
    return at


def test_the_page_previews_the_file_and_asks_about_its_pipelines_and_unknown_stages(demo_app):
    at = upload_hubspot_default(demo_app)
    preview = next(d.value for d in at.dataframe if "crm id" in d.value.columns)
    assert list(preview["crm id"])[:2] == ["31001", "31002"]
    assert at.multiselect(key="deals_pipelines_none").value == ["Sales Pipeline", "Partner Pipeline"]
    labels = sorted(s.label for s in at.selectbox if s.key.startswith("stage_map_"))
    assert labels == [
        "'Demo done' (1 deal(s))",
        "'Discovery call' (1 deal(s))",
        "'Partner sourced' (1 deal(s))",
        "'Verbal yes' (1 deal(s))",
    ]
    # Taking only the sales pipeline, its partner stage is no longer asked about.
    at.multiselect(key="deals_pipelines_none").set_value(["Sales Pipeline"]).run()
    assert "stage_map_partner_sourced" not in [s.key for s in at.selectbox]


def map_stages(at):
    for label, key in HUBSPOT_STAGE_MAP.items():
        at.selectbox(key=f"stage_map_{label.lower().replace(' ', '_')}").set_value(key)
    at.multiselect(key="deals_pipelines_none").set_value(["Sales Pipeline"])
    return at.run()


def test_stages_mapped_and_a_pipeline_chosen_import_and_are_saved_for_next_time(demo_app, url):
    at = map_stages(upload_hubspot_default(demo_app))
    at.text_input(key="deals_mapping_name").input("HubSpot Spain").run()
    deals = count(url, Opportunity)
    at.button(key="deals_import").click().run()
    assert_clean(at)
    assert not at.error
    assert [s.value for s in at.success] == [
        "Imported (hubspot): created 6, updated 0, unchanged 0, skipped 2, rejected 0."
    ]
    assert count(url, Opportunity) == deals + 6
    changes = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert sorted(set(changes["action"])) == ["created", "skipped"]
    history = next(d.value for d in at.dataframe if "sha256" in d.value.columns)
    assert list(history["filename"]) == ["hubspot-es.csv"]
    assert list(history["mapping"]) == ["HubSpot Spain"]

    again = upload_hubspot_default(demo_app)  # the next file of this layout starts from the saved choices
    assert again.selectbox(key="deals_saved_hubspot_1").value == "HubSpot Spain"
    assert again.multiselect(key="deals_pipelines_hubspot_spain").value == ["Sales Pipeline"]
    assert again.selectbox(key="stage_map_demo_done").value == "presentation"
    again.button(key="deals_import").click().run()
    assert [s.value for s in again.success] == [
        "Imported (hubspot): created 0, updated 0, unchanged 6, skipped 2, rejected 0."
    ]


def test_unmapped_stages_are_problems_and_valid_rows_import_the_others(demo_app, url):
    at = upload_hubspot_default(demo_app)
    at.button(key="deals_check").click().run()
    assert "refused" in at.error[0].value
    problems = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert list(problems["data row"]) == [1, 2, 3, 6]
    deals = count(url, Opportunity)
    at.checkbox(key="deals_valid_rows").check().run()
    at.button(key="deals_import").click().run()
    assert_clean(at)
    assert [s.value for s in at.success] == [
        "Imported (hubspot): created 4, updated 0, unchanged 0, rejected 4."
    ]
    assert count(url, Opportunity) == deals + 4
    assert "4 row(s) were refused" in " ".join(w.value for w in at.warning)


def test_a_reimport_over_a_change_made_in_rollout_lists_it_and_can_keep_rollouts_value(demo_app, url):
    from rollout.platform.db import get_engine, write_session
    from rollout.sales.pipeline import update_opportunity
    from tests.sales_factories import deals_by_crm_id

    at = map_stages(upload_hubspot_default(demo_app))
    at.button(key="deals_import").click().run()
    deal = deals_by_crm_id(get_engine(url), "ES")["31001"]
    with write_session(get_engine(url)) as session:
        update_opportunity(
            session, opportunity_id=deal.id, changes={"owner": "Pau"}, by="ceo@rollout.example"
        )
    at = map_stages(upload_hubspot_default(demo_app))
    at.radio(key="deals_conflicts").set_value("rollout").run()
    at.button(key="deals_import").click().run()
    assert_clean(at)
    assert "1 field(s) changed in Rollout" in " ".join(w.value for w in at.warning)
    conflicts = next(d.value for d in at.dataframe if "in Rollout" in d.value.columns)
    assert list(zip(conflicts["crm_id"], conflicts["in Rollout"], conflicts["in the file"], strict=True)) == [
        ("31001", "Pau", "Inés Navarro")
    ]
    assert deals_by_crm_id(get_engine(url), "ES")["31001"].owner == "Pau"
