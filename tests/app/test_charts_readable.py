"""AppTest: on the demo, every chart reads as words: axis and legend titles and trace names are not codes,
and no hover prints a raw date (dates are written by babel in the viewer's locale)."""

from __future__ import annotations

import json
import re

from tests.app.conftest import assert_clean

SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


def words_in(spec: dict) -> list[str]:
    layout = spec["layout"]
    titles = [layout.get(axis, {}).get("title", {}).get("text") for axis in ("xaxis", "yaxis")]
    titles.append(layout.get("legend", {}).get("title", {}).get("text"))
    names = [trace.get("name") for trace in spec["data"]]
    return [text for text in [*titles, *names] if isinstance(text, str)]


def test_every_chart_of_the_demo_reads_as_words(demo_app):
    pages = {
        "app_pages/portfolio.py": {},
        "app_pages/sales_analytics.py": {"country": "BR"},
        "app_pages/local_calendar.py": {"country": "DE"},
        "app_pages/content.py": {"country": "IN"},
    }
    seen = 0
    for page, query in pages.items():
        demo_app.switch_page(page)
        for key, value in query.items():
            demo_app.query_params[key] = value
        if page.endswith("content.py"):
            demo_app.session_state["content_view"] = "Translations by market"
            demo_app.session_state["content_market_view"] = "Progress"
        demo_app.run()
        assert_clean(demo_app)
        for element in demo_app.get("plotly_chart"):
            spec = json.loads(element.proto.spec)
            seen += 1
            assert not [text for text in words_in(spec) if SNAKE_CASE.match(text)], (page, words_in(spec))
            for trace in spec["data"]:
                assert "%{x}" not in trace.get("hovertemplate", ""), (page, trace.get("name"))
    assert seen >= 6
