"""Two people editing the same record in the app: the second save is refused with who changed it."""

from __future__ import annotations

from rollout.platform.db import get_engine, read_session
from rollout.platform.models import Country
from tests.app.conftest import assert_clean, run_app, shown


def open_spain():
    at = run_app({"country": "ES"}).switch_page("app_pages/country.py")
    at.query_params["country"] = "ES"
    return at.run()


def save_name(at, name: str):
    at.text_input(key="facts_name_ES").input(name)
    next(b for b in at.button if b.label == "Save facts").click().run()
    assert_clean(at)
    return at


def test_the_second_save_of_the_same_facts_is_refused_and_names_the_first(demo_app, url):
    first, second = open_spain(), open_spain()  # both open version 1 of Spain's facts
    save_name(first, "España")
    save_name(second, "Spanien")
    assert "changed by ceo@rollout.example" in shown(second.error[0].value)
    assert "Your change was not saved" in shown(second.error[0].value)
    with read_session(get_engine(url)) as session:
        spain = session.get(Country, "ES")
        assert (spain.display_name, spain.version) == ("España", 2)
    # Having seen the conflict, the second person's next save starts from what is stored now.
    save_name(second, "Spanien")
    with read_session(get_engine(url)) as session:
        assert session.get(Country, "ES").display_name == "Spanien"
