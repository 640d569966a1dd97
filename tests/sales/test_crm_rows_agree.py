"""The row validator's lean path (`_valid_row`) and its thorough one (`_row`) agree on every row.

The lean path serves the common case of a good row; the thorough one names every problem and is the
reference. Run as the reader runs them (lean first, thorough when the lean path declines), the result
must equal the thorough path's alone: the same deals, and a problem exactly where it finds one.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.sales.crm_files import FIELDS
from rollout.sales.crm_files.headers import columns_for
from rollout.sales.crm_files.rows import RowReader

HEADERS = tuple(field.replace("_", " ").title() for field in FIELDS) + ("Company",)
MAPPING = dict(zip(FIELDS, HEADERS, strict=False))

# Per field: values that are good, then values that are odd or wrong (a row mixes a few of those in).
GOOD = {
    "crm_id": ["1", "2", "A-3"],
    "account": ["Acme", "  Zeta GmbH "],
    "amount": ["1234.56", "1,234.56", "€99", "99 USD", ""],
    "currency": ["EUR", "usd", ""],
    "stage": ["Won", "Qualified", "closedwon"],
    "created_on": ["2026-01-05", "05/01/2026", "", "2026-01-05 14:05"],
    "expected_close": ["2026-03-01", "", "12/31/2026"],
    "closed_on": ["", "2026-02-01"],
    "owner": ["ana@x.example", ""],
    "segment": ["", "SMB", "enterprise"],
    "lost_reason": ["", "price", " budget "],
}
ODD = {
    "crm_id": ["", " ", "x" * 101],
    "account": ["", "a" * 201],
    "amount": ["1.234,56", "abc", "1e5", "-3", "10000000000000000", "99 GBP"],
    "currency": ["XXX1", "€", "GBP"],
    "stage": ["", " "],
    "created_on": ["2026-13-01", "yesterday", "31/12/2026"],
    "expected_close": ["31/12/2026", "2026-02-30"],
    "closed_on": ["2026-02-30", "soon"],
    "owner": ["o" * 255],
    "segment": ["giant", "Mid-market"],
    "lost_reason": ["   "],
}


@st.composite
def row(draw):
    values = {field: draw(st.sampled_from(good)) for field, good in GOOD.items()}
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)):
        values[field] = draw(st.one_of(st.sampled_from(ODD[field]), st.text(max_size=12)))
    return [values[field] for field in FIELDS] + [""]


def named(problems):
    return [(where.header, text) for where, text in problems]


def reader(records):
    _, columns = columns_for(HEADERS, "mapped", MAPPING, "deals.csv")
    return RowReader(HEADERS, columns, records, ",")


@settings(max_examples=400, deadline=None)
@given(st.lists(row(), min_size=1, max_size=6))
def test_the_lean_and_thorough_paths_agree(rows):
    records = [(number + 2, cells) for number, cells in enumerate(rows)]
    as_read, reference = reader(records), reader(records)
    for data_row, (line, cells) in enumerate(records, start=1):
        cells = [*cells, ""]  # the empty cell every absent column reads, as read() appends it
        expected, problems = reference._row(list(cells), data_row, line)
        lean = as_read._valid_row(list(cells), data_row, line)
        if lean is None:
            got, got_problems = as_read._row(list(cells), data_row, line)
            assert named(got_problems) == named(problems)
            assert problems or got == expected  # declining a good row is allowed: the thorough path takes it
        else:
            assert not problems, f"the lean path accepted a row the thorough one refuses: {problems}"
            assert lean == expected
