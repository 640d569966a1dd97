"""Free text is never rendered as HTML or read as Markdown: XSS and Markdown payloads stored in every
free-text field show up on every page as the literal text people typed."""

from __future__ import annotations

import re
from datetime import date, time

import streamlit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from rollout.gates.decisions import mark_check, record_decision
from rollout.marketing.talent import move_hire
from rollout.platform.access import Action, authorize
from rollout.platform.db import get_engine, write_session
from rollout.platform.models import (
    Campaign,
    ContentItem,
    Country,
    Hire,
    LocalEvent,
    Opportunity,
    Signal,
)
from rollout.sales.deals_import import save_mapping
from tests.app.conftest import PAGES, assert_clean, shown

# Read as HTML or Markdown, each would do something: link (bare URLs too), run script, show an image, format.
MARKERS = (
    "https://evil.example",
    "<script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "**bold**",
    "$x$",
)
PAYLOAD = "".join(MARKERS)

# Every column a person types free text into (codes, emails, links and dates are validated elsewhere).
FREE_TEXT = {
    Signal: ("account", "content_title", "note"),
    Opportunity: ("account", "owner", "lost_reason"),
    Campaign: ("name", "occasion", "linked_content"),
    LocalEvent: ("name", "note"),
    ContentItem: ("title",),
    Hire: ("role", "candidate"),
}
# Text elements Streamlit reads as Markdown (a widget's or container's label is Markdown too).
MARKDOWN_TYPES = {
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "error",
    "warning",
    "info",
    "success",
}


# The acting user of the AppTest runs (ROLLOUT_USER in tests/app/conftest.py).
ACTOR = "ceo@rollout.example"


def store_free_text(url: str, text: str) -> None:
    """Put `text` into every free-text field of the demo (and a saved mapping name). Mostly written
    straight to the tables: this test is about rendering, not about who may write. Decisions, check
    marks and hire stages are append-only, so they get a new one through the domain (a check note on
    Brazil, a decision on the United Kingdom's gate, a hire moved back with a reason)."""
    with write_session(get_engine(url)) as session:
        mark_check(session, code="BR", criterion_key="market_memo", checked=True, note=text, by=ACTOR)
        record_decision(session, code="GB", outcome="go", rationale=text, by=ACTOR)
        for model, fields in FREE_TEXT.items():
            for row in session.exec(select(model)):
                for field in fields:
                    setattr(row, field, text)
                session.add(row)
        save_mapping(session, name=text, columns={"crm_id": "ID"}, by=ACTOR)
        hire = session.exec(select(Hire).where(Hire.stage == "started")).first()
        move_hire(session, hire_id=hire.id, stage="hired", reason=text, by=ACTOR)
    name_spain(url, text)


def name_spain(url: str, text: str) -> None:
    """One country only: pages key their tables by display name, and names are distinct in practice."""
    with write_session(get_engine(url)) as session:
        authorize(session, ACTOR, Action.MANAGE_COUNTRIES, "ES")
        session.get(Country, "ES").display_name = text[:100]


def unescaped(markdown: str) -> str:
    """Markdown with every backslash-escaped character blanked: what is left is read as markup."""
    return re.sub(r"\\.", "§", markdown, flags=re.DOTALL)


def markdown_texts(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as Markdown."""
    texts = []
    for node in at._tree:
        if getattr(node, "type", "") in MARKDOWN_TYPES:
            texts.append(str(node.value))
        label = getattr(node, "label", None)
        if isinstance(label, str):
            texts.append(label)
    return texts


def assert_no_markup_from_text(at: AppTest, page: str) -> None:
    for node in at._tree:
        proto = getattr(node, "proto", None)
        fields = getattr(getattr(proto, "DESCRIPTOR", None), "fields_by_name", {})
        assert not ("allow_html" in fields and proto.allow_html), f"{page}: HTML allowed in {node}"
        assert getattr(node, "type", "") != "html", f"{page}: st.html used"
    for text in markdown_texts(at):
        assert not any(marker in unescaped(text) for marker in MARKERS), f"{page}: read as Markdown: {text!r}"


def test_payloads_in_every_free_text_field_are_shown_as_text_on_every_page(demo_app, url):
    store_free_text(url, PAYLOAD)
    streamlit.cache_data.clear()  # the demo's pages were read (and cached) before the payloads
    rendered = 0
    for page in PAGES:
        at = demo_app.switch_page(page).run()
        assert_clean(at)
        assert_no_markup_from_text(at, page)
        rendered += sum(PAYLOAD in shown(text) for text in markdown_texts(at))
    assert rendered  # the payload did reach Markdown somewhere, escaped (the country header at least)


def plan(at: AppTest, name: str, day: date) -> AppTest:
    at.text_input(key="campaign_name_IN").input(name)
    at.date_input(key="campaign_day_IN").set_value(day)
    at.time_input(key="campaign_time_IN").set_value(time(10, 0))
    next(b for b in at.button if b.label == "Plan campaign").click().run()
    assert_clean(at)
    return at


def test_campaign_messages_quoting_names_people_typed_are_escaped(demo_app):
    """The confirmation quotes the new campaign's name; a warning quotes the one planned the day before."""
    at = demo_app.switch_page("app_pages/campaigns.py")
    at.query_params["country"] = "IN"
    at = plan(at.run(), PAYLOAD, date(2027, 3, 3))
    at = plan(at, PAYLOAD + " again", date(2027, 3, 4))
    assert_no_markup_from_text(at, "campaigns")
    assert any(PAYLOAD + " again" in shown(s.value) for s in at.success)
    assert any(f"'{PAYLOAD}' is planned 1 day(s) away" in shown(w.value) for w in at.warning)


names = st.text(alphabet=st.sampled_from("ab <>[]()*_`$#!|~\\:=&;-"), min_size=1, max_size=30).filter(
    lambda text: text.strip() == text
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_any_display_name_reads_as_typed_in_the_country_header(demo_app, url, name):
    name_spain(url, name)
    streamlit.cache_data.clear()
    at = demo_app.switch_page("app_pages/country.py")
    at.query_params["country"] = "ES"
    at.run()
    assert_clean(at)
    header = at.header[0].value
    assert shown(header).startswith(f"{name} · ")
    assert not re.search(r"[<>\[\]()*_`$#!|~]", unescaped(header))  # every markup character escaped
