"""CSV exports against CSV injection (OWASP): every text cell that a spreadsheet would run as a formula
is prefixed with a single quote, numbers stay numbers, and reading an export back gives what was
exported (after removing that quote)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rollout.marketing.ics import CSV_HEADER, calendar_csv
from rollout.platform.db import read_session, write_session
from rollout.platform.exports import NEUTRALISER, csv_bytes, formula_like, frame_csv, spreadsheet_safe
from rollout.platform.models import Country
from rollout.sales.deals_import import EXPORT_FIELDS, export_deals_csv
from rollout.sales.pipeline import create_opportunity
from tests.conftest import ACTOR, TODAY
from tests.factories import add, local_event_entry

# Any text a person could type or paste, biased towards the characters that start formulas.
DANGEROUS = ["=", "+", "-", "@", "\t", "\r", " ", "\n", "'", '"', ",", ";"]
any_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(DANGEROUS), st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
    ),
    max_size=40,
)


def read_back(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def exported(text: str) -> str:
    """What an export writes for `text`."""
    return NEUTRALISER + text if formula_like(text) else text


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "\r=1", " =1", "\n@x", '=HYPERLINK("http://x")'],
)
def test_formula_like_text_is_prefixed_with_a_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Acme", "'=1", "a=b", "1-2", "", "São Paulo"])
def test_other_text_is_left_alone(text):
    assert spreadsheet_safe(text) == text


@pytest.mark.parametrize("number", [-5, -2.5, Decimal("-1234.50"), 0, 7])
def test_numbers_stay_numbers_even_when_negative(number):
    """A negative amount is a number, not a formula: prefixing it would turn it into text."""
    [_, row] = read_back(csv_bytes(["amount"], [[number]]))
    assert row == [str(number)]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(any_text, min_size=3, max_size=3), max_size=5))
def test_no_text_cell_can_run_as_a_formula_and_every_cell_reads_back(rows):
    back = read_back(csv_bytes(["a", "b", "c"], rows))
    assert back[1:] == [[exported(text) for text in row] for row in rows]
    assert not any(formula_like(cell) for row in back for cell in row)


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(any_text, min_size=1, max_size=5), numbers=st.lists(st.integers(), min_size=5))
def test_a_frame_keeps_its_numbers_and_neutralises_its_text(texts, numbers):
    frame = pd.DataFrame({"label": texts, "count": numbers[: len(texts)]})
    back = read_back(frame_csv(frame))
    assert back[1:] == [[exported(text), str(number)] for text, number in zip(texts, numbers, strict=False)]


@settings(max_examples=150, deadline=None)
@given(name=any_text, local_name=any_text, note=any_text)
def test_calendar_csv_neutralises_every_free_text_field(name, local_name, note):
    entry = local_event_entry(
        name=name,
        local_name=local_name,
        note=note,
    )
    [header, row] = read_back(calendar_csv([entry]))
    cells = dict(zip(header, row, strict=True))
    assert header == list(CSV_HEADER)
    typed = {"name": name, "local_name": local_name, "note": note}
    assert {field: cells[field] for field in typed} == {
        field: exported(text) for field, text in typed.items()
    }
    assert not any(formula_like(cell) for cell in row)


# Deals: the fields a person types (the account is required, so never blank).
deal_text = st.fixed_dictionaries(
    {
        "account": any_text.filter(lambda text: text.strip()),
        "owner": any_text,
        "lost_reason": any_text,
    }
)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=deal_text, amount=st.decimals(min_value=0, max_value=10**6, places=2))
def test_the_deals_export_neutralises_what_people_typed(engine, values, amount):
    """Stored text is stripped, so the export shows the stored value, neutralised when formula-like."""
    add_country_once(engine)
    with write_session(engine) as session:
        opportunity = create_opportunity(
            session, code="ES", values={**values, "amount": amount}, by=ACTOR, today=TODAY
        )
        stored = {field: getattr(opportunity, field) for field in EXPORT_FIELDS if field != "crm_source"}
    with read_session(engine) as session:
        header, *rows = read_back(export_deals_csv(session, "ES"))
    last = dict(zip(header, rows[-1], strict=True))
    for field in ("account", "owner", "lost_reason"):
        assert last[field] == exported(stored[field])
    assert last["amount"] == str(stored["amount"])
    assert not any(formula_like(cell) for cell in rows[-1])


def add_country_once(engine) -> None:
    with read_session(engine) as session:
        if session.get(Country, "ES") is None:
            add(engine, "ES", date(2026, 1, 1))


def test_a_frame_with_gaps_exports_empty_cells_and_whole_numbers():
    # An integer column with a gap is float in pandas (2 → 2.0) and its gap NaN.
    frame = pd.DataFrame(
        {"deals": [2, None], "share": [0.25, 1.5], "on": [pd.Timestamp("2026-12-23"), pd.NaT]}
    )
    assert frame["deals"].dtype == float
    back = read_back(frame_csv(frame))
    assert back == [["deals", "share", "on"], ["2", "0.25", "2026-12-23 00:00:00"], ["", "1.5", ""]]
