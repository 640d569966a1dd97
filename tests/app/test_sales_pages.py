"""AppTest of the sales pages on the demo: logging a signal moves the gate's number; rates and analytics."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import ExchangeRate, Signal
from tests.app.conftest import assert_clean, count, shown


def open_page(at, page: str, country: str | None = None):
    at = at.switch_page(page)
    if country:
        at.query_params["country"] = country
    return at.run()


def metric_value(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_logging_a_qualified_meeting_moves_the_gate_number(demo_app, url):
    at = open_page(demo_app, "app_pages/sales_log.py", "BR")
    before = int(metric_value(at, "Qualified meetings held"))
    signals = count(url, Signal)
    at.radio(key="signal_kind").set_value("meeting")
    at.checkbox(key="signal_qualified").check()
    at.text_input(key="signal_account").input("Banco Horizonte S.A.")
    next(b for b in at.button if b.label == "Log signal").click().run()
    assert_clean(at)
    assert count(url, Signal) == signals + 1
    assert int(metric_value(at, "Qualified meetings held")) == before + 1
    assert at.text_input(key="signal_account").value == ""  # a fresh form for the next one


def test_a_content_request_without_its_title_is_refused_and_kept(demo_app, url):
    at = open_page(demo_app, "app_pages/sales_log.py", "IN")
    signals = count(url, Signal)
    at.radio(key="signal_kind").set_value("content_request")
    at.text_input(key="signal_account").input("Tata Example Ltd")
    next(b for b in at.button if b.label == "Log signal").click().run()
    assert any("content: say which piece was requested" in shown(e.value) for e in at.error)
    assert count(url, Signal) == signals
    assert at.text_input(key="signal_account").value == "Tata Example Ltd"


def test_the_opportunities_editor_shows_the_countrys_deals(demo_app):
    at = open_page(demo_app, "app_pages/sales_log.py", "GB")
    editor = next(e for e in at.dataframe if "crm_id" in e.value.columns)
    assert len(editor.value) > 0 and set(editor.value["currency"]) == {"GBP"}
    assert editor.value["crm_id"].str.startswith("rollout-").all()


def test_setting_a_rate_by_hand(demo_app, url):
    at = open_page(demo_app, "app_pages/rates.py")
    at.selectbox(key="rate_currency").set_value("SEK")
    at.date_input(key="rate_day").set_value(date(2026, 11, 20))
    at.number_input(key="rate_value").set_value(11.05)
    next(b for b in at.button if b.label == "Save rate").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        rate = session.exec(select(ExchangeRate).where(ExchangeRate.currency == "SEK")).one()
    assert (rate.day, str(rate.per_eur), rate.source) == (date(2026, 11, 20), "11.050000", "manual")


def test_a_rate_without_currency_is_refused(demo_app, url):
    at = open_page(demo_app, "app_pages/rates.py")
    rates = count(url, ExchangeRate)
    at.number_input(key="rate_value").set_value(2.0)
    next(b for b in at.button if b.label == "Save rate").click().run()
    assert any("currency" in shown(e.value) for e in at.error)
    assert count(url, ExchangeRate) == rates


def test_analytics_for_a_market_in_its_sales_test(demo_app):
    at = open_page(demo_app, "app_pages/sales_analytics.py", "BR")
    assert_clean(at)
    assert {m.label for m in at.metric} >= {"Win rate", "Median sales cycle", "Opportunities"}
    subheaders = [h.value for h in at.subheader]
    assert "Against the gate's thresholds" in subheaders  # Brazil is at the Market appetite gate
    assert len(at.get("plotly_chart")) >= 4  # funnel, trend, stages, gate: only the chosen tab runs


def test_analytics_markets_side_by_side_run_when_their_tab_is_chosen(demo_app, url):
    from rollout.gates import status as gates

    at = open_page(demo_app, "app_pages/sales_analytics.py")
    assert not any(d.value.columns.tolist()[:2] == ["code", "country"] for d in at.dataframe)
    at.session_state["analytics_view"] = "Markets side by side"
    at.run()
    assert_clean(at)
    markets = next(d.value for d in at.dataframe if d.value.columns.tolist()[:2] == ["code", "country"])
    with read_session(get_engine(url)) as session:
        statuses = gates.portfolio(session, today=date.today())
    exited = {s.country for s in statuses if s.phase == "exited"}
    assert exited and set(markets["code"]) == {s.country for s in statuses} - exited  # the active ones
    assert len(at.get("plotly_chart")) == 1


def test_a_content_request_picked_from_the_catalogue_ranks_the_backlog(demo_app, url):
    from rollout.marketing.content import request_counts

    with read_session(get_engine(url)) as session:
        before = request_counts(session, "GB")["security whitepaper"]
    at = open_page(demo_app, "app_pages/sales_log.py", "GB")
    at.radio(key="signal_kind").set_value("content_request")
    at.selectbox(key="signal_content").set_value("Security whitepaper")
    next(b for b in at.button if b.label == "Log signal").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        assert request_counts(session, "GB")["security whitepaper"] == before + 1


def test_a_deal_beyond_the_first_page_is_found_and_edited(demo_app, url):
    from rollout.platform.db import write_session
    from rollout.platform.models import Opportunity
    from rollout.sales.pipeline import apply_table_edits, create_opportunity

    engine = get_engine(url)
    with read_session(engine) as session:  # the demo's oldest British deal
        oldest = session.exec(
            select(Opportunity).where(Opportunity.country_code == "GB").order_by(Opportunity.id)
        ).first()
    with write_session(engine) as session:  # 200 newer deals push it off the first page
        for number in range(200):
            values = {"account": f"Bulk {number}", "amount": "10"}
            create_opportunity(session, code="GB", values=values, by="ceo@rollout.example")

    at = open_page(demo_app, "app_pages/sales_log.py", "GB")
    editor = next(e for e in at.dataframe if "crm_id" in e.value.columns)
    assert len(editor.value) == 200 and oldest.id not in editor.value["id"].tolist()
    assert at.number_input(key="deals_page").max == 2

    at.text_input(key="deals_search").input(oldest.crm_id.upper()).run()
    editor = next(e for e in at.dataframe if "crm_id" in e.value.columns)
    assert editor.value["id"].tolist() == [oldest.id]
    # AppTest cannot type into a data editor: save what it would send for the rows shown.
    with write_session(engine) as session:
        updated, _ = apply_table_edits(
            session,
            code="GB",
            row_ids=editor.value["id"].tolist(),
            edited_rows={0: {"account": "Found on page two Ltd"}},
            added_rows=[],
            by="ceo@rollout.example",
            opened_versions={oldest.id: oldest.version},
        )
    assert updated == 1
    with read_session(engine) as session:
        assert session.get(Opportunity, oldest.id).account == "Found on page two Ltd"

    at.text_input(key="deals_search").input("").run()
    at.number_input(key="deals_page").set_value(2).run()
    editor = next(e for e in at.dataframe if "crm_id" in e.value.columns)
    assert oldest.id in editor.value["id"].tolist() and len(editor.value) < 200


def test_the_board_shows_a_card_per_open_deal_beside_the_table(demo_app, url):
    from rollout.platform.models import Opportunity
    from rollout.sales.pipeline import load_pipeline_config

    at = open_page(demo_app, "app_pages/sales_log.py", "GB")
    assert_clean(at)
    open_keys = load_pipeline_config().keys_of_kind("open")
    with read_session(get_engine(url)) as session:
        deals = session.exec(
            select(Opportunity).where(Opportunity.country_code == "GB", Opportunity.stage.in_(open_keys))
        ).all()
    cards = [
        c for c in at.get("flex_container") if str(getattr(c, "key", "") or "").startswith("board_card_")
    ]
    assert len(cards) == min(len(deals), 30 * len(open_keys))
    biggest = max(deals, key=lambda d: d.amount)
    text = " ".join(c.value for c in at.caption)
    assert f"{biggest.account} · £" in text and " d" in text
