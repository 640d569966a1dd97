"""AppTest: every page renders on an empty database and on the demo, and its main action works."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from rollout.gates.decisions import record_decision
from rollout.gates.playbook import load_playbook
from rollout.platform.config_files import data_file
from rollout.platform.countries import add_country, update_facts
from rollout.platform.db import get_engine, read_session, write_session
from rollout.platform.models import (
    CheckMark,
    ConditionClearance,
    Country,
    CountryFacts,
    Decision,
    GateCondition,
)
from rollout.platform.schema import upgrade
from tests.app.conftest import PAGES, assert_clean, count, run_app, shown


def test_empty_database_offers_the_demo(url):
    at = run_app()
    assert_clean(at)
    assert at.button(key="load_demo").label == "Load demo data"
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert_clean(at)


def test_demo_button_loads_the_demo(url):
    at = run_app()
    at.button(key="load_demo").click().run()
    assert_clean(at)
    assert shown(at.success[0].value) == "Loaded the demo: 8 countries."
    assert count(url, Country) == 8


def test_every_page_renders_on_the_demo(demo_app, url):
    assert tile(demo_app, "in_progress") == "**6**  \nMarkets in progress"  # 8 less established, exited
    for page in PAGES[1:]:
        demo_app.switch_page(page).run()
        assert_clean(demo_app)


def test_country_filter_narrows_the_portfolio(demo_app):
    demo_app.multiselect(key="country_filter").set_value(["BR", "JP"]).run()
    assert_clean(demo_app)
    assert tile(demo_app, "in_progress").startswith("**2**")
    assert tile(demo_app, "on_hold").startswith("**1**")  # Japan is on hold


def tile(at, name: str) -> str:
    return at.button(key=f"tile_{name}").label


def test_a_tile_filters_the_countries_and_a_second_click_shows_all(demo_app):
    at = demo_app
    at.button(key="tile_on_hold").click().run()
    assert_clean(at)
    assert list(at.dataframe[0].value["code"]) == ["JP"]
    assert at.button(key="tile_on_hold").proto.type == "primary"
    at.button(key="tile_on_hold").click().run()
    assert len(at.dataframe[0].value) == 8


def test_the_portfolio_shows_health_in_attention_order_and_links_upcoming_gates(demo_app):
    at = demo_app
    table = at.dataframe[0].value
    assert table.iloc[0]["code"] == "IN"  # its gate is due soonest
    assert list(table["attention"]) == sorted(table["attention"])
    assert table.set_index("code").loc["JP", "health_shown"] == "⚪ On hold"
    at.segmented_control(key="map_colour_by").set_value("phase").run()
    assert_clean(at)
    assert at.segmented_control(key="map_colour_by").value == "phase"
    at.segmented_control(key="upcoming_days").set_value(90).run()
    assert_clean(at)
    links = [link.proto.label for link in at.get("page_link")]
    assert any(label.startswith("Japan") and "on hold for" in label for label in links)
    assert any(label.startswith("India") and "gate due in" in label for label in links)


def test_recording_a_decision_from_the_country_page(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "GB"
    at.run()
    assert "United Kingdom" in at.header[0].value
    before = count(url, Decision)
    at.radio(key="decision_outcome_GB").set_value("go")
    at.text_area(key="decision_rationale_GB").input("Two strong wins; the third is close")
    submit_decision(at)
    assert_clean(at)
    assert count(url, Decision) == before + 1
    assert any("Recorded decision #2: Go." in shown(s.value) for s in at.success)
    assert "First signings" not in at.header[0].value and "Minimal marketing launch" in at.header[0].value


def brazil_stopping(demo_app):
    """Brazil's country page with Stop chosen in the decision form."""
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "BR"
    at.run()
    at.radio(key="decision_outcome_BR").set_value("stop")
    return at


def test_stop_without_rationale_is_refused_and_nothing_changes(demo_app, url):
    before = count(url, Decision)
    at = brazil_stopping(demo_app)
    submit_decision(at)
    at.button(key="confirm_yes").click().run()
    assert any("rationale: required to stop" in shown(e.value) for e in at.error)
    assert count(url, Decision) == before


def test_a_stop_asks_first_naming_the_market_and_nothing_is_decided_until_confirmed(demo_app, url):
    before = count(url, Decision)
    at = brazil_stopping(demo_app)
    at.text_area(key="decision_rationale_BR").input("No traction after two extensions.")
    submit_decision(at)
    assert_clean(at)
    assert any("Brazil exits the rollout for good" in shown(w.value) for w in at.warning)
    assert at.button(key="confirm_yes").label == "Stop Brazil"
    assert count(url, Decision) == before
    at.button(key="confirm_no").click().run()  # kept as is: nothing decided, the question is gone
    assert count(url, Decision) == before
    assert not [b for b in at.button if b.key == "confirm_yes"]
    submit_decision(at)
    at.button(key="confirm_yes").click().run()
    assert_clean(at)
    assert count(url, Decision) == before + 1
    assert any("Recorded decision" in shown(s.value) and "Stop" in s.value for s in at.success)


def test_ticking_a_check(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "BR"
    at.run()
    at.checkbox(key="check_BR_market_memo").check()
    at.text_input(key="check_note_BR_market_memo").input("Memo read at the Monday review")
    next(b for b in at.button if b.label == "Save checks").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        mark = session.exec(select(CheckMark).where(CheckMark.country_code == "BR")).one()
    assert (mark.checked, mark.note, mark.marked_by) == (
        True,
        "Memo read at the Monday review",
        "ceo@rollout.example",
    )


def test_adding_a_country_prefills_its_facts(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py").run()
    at.selectbox(key="new_country_code").set_value("CH")
    next(b for b in at.button if b.label == "Add country").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        swiss = session.get(Country, "CH")
    assert swiss.currency == "CHF" and {"de", "fr", "it"} <= set(swiss.languages)
    assert at.selectbox(key="country_select").value == "CH"


def test_decisions_page_filters_by_outcome(demo_app):
    at = demo_app.switch_page("app_pages/decisions.py").run()
    at.multiselect(key="decisions_outcomes").set_value(["Stop"]).run()
    assert_clean(at)
    shown = at.dataframe[0].value
    assert list(shown["outcome"]) == ["Stop"] and list(shown["code"]) == ["AE"]


def test_decisions_show_who_decided_by_name(demo_app):
    at = demo_app.switch_page("app_pages/decisions.py").run()
    assert_clean(at)
    # The demo's CFO and CMO have names; the CEO, the admin who loaded it, has none: shown by email.
    deciders = at.multiselect(key="decisions_by")
    assert deciders.options == ["Cfo", "Cmo", "ceo@rollout.example"]
    deciders.set_value(["cfo@rollout.example"]).run()  # the choice is the email; its label the name
    assert_clean(at)
    shown = at.dataframe[0].value
    assert len(shown) and set(shown["decided_by"]) == {"Cfo"}


def submit_decision(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Record decision").click().run()
    return at


def test_a_decision_landing_while_reviewing_is_reported_not_overwritten(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "BR"
    at.run()  # the reviewer sees Brazil's gate with no decision yet
    with write_session(get_engine(url)) as session:  # meanwhile, a colleague decides
        record_decision(
            session, code="BR", outcome="hold", by="cfo@rollout.example", rationale="Budget review"
        )
    at.radio(key="decision_outcome_BR").set_value("stop")
    at.text_area(key="decision_rationale_BR").input("No budget in Brazil this year")
    submit_decision(at)
    at.button(key="confirm_yes").click().run()  # the stop is confirmed on what the reviewer saw
    assert any("cfo@rollout.example recorded 'hold'" in shown(e.value) for e in at.error)
    with read_session(get_engine(url)) as session:
        outcomes = [d.outcome for d in session.exec(select(Decision).where(Decision.country_code == "BR"))]
    assert outcomes == ["hold"]


def test_a_broken_playbook_is_named_and_nothing_runs(url, tmp_path, monkeypatch):
    broken = tmp_path / "playbook.toml"
    broken.write_text('[[phases]]\nkey = "sales_test"\nname = "Sales test"\nmonths = "three"\n')
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(broken))
    at = run_app()
    assert_clean(at)
    assert str(broken) in at.error[0].value and "'months'" in at.error[0].value


def test_a_playbook_edited_after_decisions_at_its_gates_is_refused_naming_the_markets(
    demo_app, tmp_path, monkeypatch
):
    edited = tmp_path / "playbook.toml"
    shipped = data_file("playbook.toml").read_text(encoding="utf-8")
    edited.write_text(shipped.replace('key = "sales_test"', 'key = "market_test"'), encoding="utf-8")
    monkeypatch.setenv("ROLLOUT_PLAYBOOK", str(edited))
    at = demo_app.run()
    assert_clean(at)
    refusal = shown(at.error[0].value)
    assert str(edited) in refusal and "ES: decision #1" in refusal and "'sales_test' gate" in refusal
    assert not at.dataframe  # no page ran on it


def test_a_database_newer_than_the_code_is_refused(url):
    engine = get_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    at = run_app()
    assert_clean(at)
    assert "f00d" in at.error[0].value and "newer" in at.error[0].value


def test_switching_country_does_not_carry_a_form_over(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "JP"
    at.run()
    at.checkbox(key="check_JP_market_memo").check()
    at.text_area(key="decision_rationale_JP").input("Typed for Japan")
    at.selectbox(key="country_select").set_value("BR").run()
    assert_clean(at)
    assert at.checkbox(key="check_BR_market_memo").value is False
    assert at.text_area(key="decision_rationale_BR").value == ""
    with read_session(get_engine(url)) as session:
        assert session.exec(select(CheckMark).where(CheckMark.country_code == "BR")).first() is None


def test_no_decision_is_preselected_and_hold_is_not_offered_while_on_hold(demo_app):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "JP"
    at.run()
    outcome = at.radio(key="decision_outcome_JP")
    assert outcome.value is None
    assert outcome.options == [
        "Go — advance to First signings",
        "Extend — repeat the phase for another period",
        "Stop — exit the market",
    ]
    submit_decision(at)
    assert any("Decision: choose" in shown(e.value) for e in at.error)


def test_markup_in_a_display_name_is_shown_as_text(demo_app, url):
    with write_session(get_engine(url)) as session:
        spain = session.get(Country, "ES")
        facts = CountryFacts(**spain.model_dump(include=set(CountryFacts.model_fields)))
        facts.display_name = "[click me](https://evil.example) **bold**"
        update_facts(session, code="ES", facts=facts, by="ceo@rollout.example")
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "ES"
    at.run()
    header = at.header[0].value
    assert "\\[click me\\]\\(https" in header and "\\*\\*bold\\*\\*" in header


def test_the_country_page_shows_the_latest_ten_decisions_and_the_rest_on_request(demo_app, url):
    ceo, started = "ceo@rollout.example", date.today() - timedelta(days=4 * 365)
    with write_session(get_engine(url)) as session:
        add_country(session, code="FR", start_date=started, by=ceo)
    for quarter in range(1, 13):  # the sales test extended quarter after quarter
        with write_session(get_engine(url)) as session:
            record_decision(
                session,
                code="FR",
                outcome="extend",
                extension_months=3,
                rationale=f"quarter {quarter}",
                on=started + timedelta(days=91 * quarter),
                by=ceo,
                playbook=load_playbook(),
            )
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "FR"
    at.run()
    assert_clean(at)

    def logged() -> list[int]:
        labels = [shown(e.label) for e in at.expander]
        return [int(label.split(" ")[0][1:]) for label in labels if label.startswith("#")]

    assert logged() == list(range(12, 2, -1))  # newest first
    at.toggle(key="decision_log_all_FR").set_value(True).run()
    assert logged() == list(range(12, 0, -1))


def test_the_main_time_zone_is_shown_and_edited_on_the_country_page(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "BR"
    at.run()
    assert any(t.value.startswith("America/Sao_Paulo (main), America/Noronha") for t in at.text)
    main = at.selectbox(key="facts_main_zone_BR")
    assert main.value == "America/Sao_Paulo"
    main.set_value("America/Manaus")
    next(b for b in at.button if b.label == "Save facts").click().run()
    assert_clean(at)
    with read_session(get_engine(url)) as session:
        brazil = session.get(Country, "BR")
        assert (brazil.main_time_zone, brazil.currency) == ("America/Manaus", "BRL")


def test_the_gate_says_why_each_unmet_criterion_falls_short(demo_app):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "IN"
    at.run()
    assert_clean(at)
    reasons = [shown(m.value) for m in at.markdown]
    assert any(r.startswith("**Website live") and "Hindi Website: home" in r for r in reasons)
    assert any("record(s) behind" in e.label for e in at.expander), [e.label for e in at.expander]


def test_a_conditional_go_from_the_decision_form_then_clearing_its_condition(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "GB"
    at.run()
    at.radio(key="decision_outcome_GB").set_value("go")
    at.text_area(key="decision_rationale_GB").input("Wins are in; marketing needs a native hire")
    at.text_area(key="decision_conditions_GB").input(
        "Native marketer hired | 2099-03-01 | ceo@rollout.example"
    )
    submit_decision(at)
    assert_clean(at)
    assert any("with 1 condition(s)" in shown(s.value) for s in at.success)
    assert count(url, GateCondition) == 1
    owed = next(c for c in at.checkbox if c.key and c.key.startswith("clear_condition_"))
    owed.check()
    next(b for b in at.button if b.label == "Clear the ticked conditions").click().run()
    assert_clean(at)
    assert count(url, ConditionClearance) == 1
    assert not any(c.key and c.key.startswith("clear_condition_") for c in at.checkbox)


def test_a_badly_typed_condition_is_refused_and_nothing_is_recorded(demo_app, url):
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "GB"
    at.run()
    before = count(url, Decision)
    at.radio(key="decision_outcome_GB").set_value("go")
    at.text_area(key="decision_rationale_GB").input("Go")
    at.text_area(key="decision_conditions_GB").input("Hire someone | next spring")
    submit_decision(at)
    assert any("'next spring' is not a date" in shown(e.value) for e in at.error)
    assert count(url, Decision) == before
    assert at.text_area(key="decision_conditions_GB").value == "Hire someone | next spring"  # kept
