"""CRM exports: HubSpot, Salesforce and mapped files in real-world shapes, and every bad row reported."""

from __future__ import annotations

import contextlib
import csv
import io
import string
import zipfile
from dataclasses import fields, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rollout.sales.crm_files import (
    FIELDS,
    READ_FIELDS,
    CrmFileError,
    DealRow,
    ParsedFile,
    RowProblem,
    detect_format,
    limits,
    parse_deals,
    read_table,
    suggest_mapping,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "crm"
HUBSPOT_HEADERS = [
    "Record ID",
    "Associated Company",
    "Amount",
    "Deal Stage",
    "Pipeline",
    "Create Date",
    "Close Date",
    "Deal owner",
]
SALESFORCE_HEADERS = [
    "Opportunity ID",
    "Opportunity Name",
    "Account Name",
    "Amount",
    "Amount Currency",
    "Stage",
    "Close Date",
    "Created Date",
    "Opportunity Owner",
]
CUSTOM_MAPPING = {
    "crm_id": "Deal #",
    "account": "Customer",
    "amount": "Deal value",
    "currency": "Curr.",
    "stage": "Status",
    "created_on": "Opened",
    "expected_close": "Expected close",
    "closed_on": "Closed on",
    "owner": "Sales rep",
    "segment": "Tier",
    "lost_reason": "Why lost",
}


def deal(**values: str) -> dict[str, str]:
    """One HubSpot row; keyword names are the headers with spaces as underscores. IDs default to 1, 2, 3..."""
    row = {
        "Associated Company": "Acme",
        "Amount": "100",
        "Deal Stage": "Won",
        "Pipeline": "Sales",
        "Create Date": "2026-01-15",
        "Close Date": "",
        "Deal owner": "Ann",
    }
    row.update({name.replace("_", " "): value for name, value in values.items()})
    return row


def hubspot_csv(*rows: dict[str, str], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HUBSPOT_HEADERS)
    for index, row in enumerate(rows, start=1):
        writer.writerow(
            [row.get(header, str(index) if header == "Record ID" else "") for header in HUBSPOT_HEADERS]
        )
    return out.getvalue().encode(encoding)


def parse_one(row: dict[str, str], delimiter: str = ",") -> ParsedFile:
    return parse_deals(hubspot_csv(row, delimiter=delimiter), "deals.csv")


def only_row(row: dict[str, str], delimiter: str = ",") -> DealRow:
    parsed = parse_one(row, delimiter)
    assert not parsed.problems, [str(p) for p in parsed.problems]
    (result,) = parsed.rows
    return result


def only_problem(row: dict[str, str], delimiter: str = ",") -> RowProblem:
    parsed = parse_one(row, delimiter)
    assert parsed.rows == ()
    (problem,) = parsed.problems
    return problem


def file_error(content: bytes, filename: str = "deals.csv", **options) -> str:
    with pytest.raises(CrmFileError) as error:
        parse_deals(content, filename, **options)
    return str(error.value)


# --- The shipped example files --------------------------------------------------------------------


def test_hubspot_export_with_us_dates_and_a_multiline_quoted_field():
    parsed = parse_deals((DATA / "hubspot_deals.csv").read_bytes(), "hubspot_deals.csv")
    assert (parsed.format, parsed.encoding, parsed.delimiter, parsed.problems) == (
        "hubspot",
        "utf-8",
        ",",
        (),
    )
    assert parsed.headers[:4] == ("Record ID", "Deal Name", "Associated Company", "Amount")
    assert parsed.rows == (
        DealRow(
            "18293001",
            "Acme renewal 2026",
            "Acme Corp",
            Decimal("12500.00"),
            "USD",
            "Closed won",
            date(2026, 1, 15),
            date(2026, 3, 31),
            None,
            "Dana Scully",
            None,
            "",
            data_row=1,
            line=2,
            pipeline="Sales Pipeline",
        ),
        DealRow(
            "18293002",
            "Globex expansion, phase 2",
            "Globex",
            Decimal("48000.00"),
            "USD",
            "Contract sent",
            date(2026, 2, 3),
            date(2026, 6, 30),
            None,
            "Fox Mulder",
            None,
            "",
            data_row=2,
            line=3,
            pipeline="Sales Pipeline",
        ),
        DealRow(
            "18293003",
            "Initech pilot",
            "Initech",
            Decimal("7250.50"),
            "USD",
            "Closed lost",
            date(2026, 2, 10),
            date(2026, 4, 15),
            None,
            "Dana Scully",
            None,
            'Went with a competitor, cheaper\r\n(see "call notes")',
            data_row=3,
            line=4,
            pipeline="Sales Pipeline",
        ),
        DealRow(
            "18293004",
            "Umbrella onboarding",
            "Umbrella Corporation, Inc.",
            Decimal("0.00"),
            None,  # no currency written: the caller uses the country's
            "Appointment scheduled",
            date(2026, 3, 2),
            None,
            None,
            "Walter Skinner",
            None,
            "",
            data_row=4,
            line=7,  # the quoted newline and the blank line both count
            pipeline="Sales Pipeline",
        ),
    )


def test_salesforce_export_in_windows_1252_with_semicolons_and_european_numbers():
    parsed = parse_deals((DATA / "salesforce_opportunities.csv").read_bytes(), "opportunities.csv")
    assert (parsed.format, parsed.encoding, parsed.delimiter, parsed.problems) == (
        "salesforce",
        "cp1252",
        ";",
        (),
    )
    accounts = [row.account for row in parsed.rows]
    assert accounts == ["Société Générale", "Müller GmbH", "Café Crème SARL"]
    assert [row.amount for row in parsed.rows] == [
        Decimal("125000.00"),
        Decimal("8750.50"),
        Decimal("1234.00"),
    ]
    assert [row.currency for row in parsed.rows] == ["EUR"] * 3
    assert [row.expected_close for row in parsed.rows] == [
        date(2026, 3, 31),
        date(2026, 6, 30),
        date(2026, 4, 15),
    ]
    # 02/02/2026 and 03/02/2026 alone are ambiguous: a semicolon file is European, so day-first.
    assert [row.created_on for row in parsed.rows] == [date(2026, 1, 15), date(2026, 2, 2), date(2026, 2, 3)]
    assert parsed.rows[1].owner == "Jürgen Weiß"
    assert parsed.rows[2].lost_reason == 'Budget gestrichen; "zu teuer"'
    assert [(row.data_row, row.line) for row in parsed.rows] == [(1, 2), (2, 3), (3, 4)]


def test_tab_separated_utf8_bom_file_with_its_own_headers_is_read_through_a_mapping():
    content = (DATA / "custom_pipeline.tsv").read_bytes()
    headers, _, encoding, delimiter = read_table(content, "pipeline.tsv")
    assert (encoding, delimiter) == ("utf-8-sig", "\t")
    assert headers[0] == "Deal #"  # the byte-order mark is not part of the first header
    assert suggest_mapping(headers) == {  # everything but the id, which the user must confirm
        "account": "Customer",
        "amount": "Deal value",
        "currency": "Curr.",
        "created_on": "Opened",
        "lost_reason": "Why lost",
        "stage": "Status",
        "expected_close": "Expected close",
        "closed_on": "Closed on",
        "owner": "Sales rep",
        "segment": "Tier",
    }
    assert "map the file's columns" in file_error(content, "pipeline.tsv")
    parsed = parse_deals(content, "pipeline.tsv", format="mapped", mapping=CUSTOM_MAPPING)
    assert parsed.problems == ()
    assert parsed.format == "mapped"
    first, second, third = parsed.rows
    assert (first.amount, first.currency, first.segment) == (Decimal("1234.56"), "SEK", "smb")
    assert (first.expected_close, first.closed_on) == (date(2026, 3, 31), date(2026, 3, 28))
    assert (second.amount, second.currency, second.segment) == (Decimal("2500.00"), "EUR", "mid_market")
    assert second.lost_reason == "No budget"
    assert (third.account, third.segment, third.closed_on) == ('Tabs\tand "quotes" Oy', "enterprise", None)


@pytest.fixture
def hubspot_xlsx() -> bytes:
    """A HubSpot export saved as a workbook: numbers, real dates, a blank row and a text date."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "Record ID",
            "Associated Company",
            "Amount",
            "Deal Stage",
            "Pipeline",
            "Create Date",
            "Close Date",
            "Deal owner",
        ]
    )
    sheet.append(
        [
            18293001,
            "Acme",
            12500.5,
            "Closed won",
            "Sales",
            datetime(2026, 1, 15, 9, 30),
            date(2026, 3, 31),
            "Ann",
        ]
    )
    sheet.append([])
    sheet.append([18293002.0, "Globex", 48000, "Qualified", "Sales", "03/31/2026", None, "Bob"])
    sheet.append(["18293003", "Initech", "1,234.50 EUR", "Lost", "Sales", datetime(2026, 2, 1), None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_cells_may_be_numbers_and_dates_and_lines_are_sheet_rows(hubspot_xlsx):
    parsed = parse_deals(hubspot_xlsx, "deals.xlsx")
    assert (parsed.format, parsed.encoding, parsed.delimiter, parsed.problems) == (
        "hubspot",
        "xlsx",
        None,
        (),
    )
    assert [row.crm_id for row in parsed.rows] == ["18293001", "18293002", "18293003"]
    assert [row.amount for row in parsed.rows] == [
        Decimal("12500.50"),
        Decimal("48000.00"),
        Decimal("1234.50"),
    ]
    assert [row.currency for row in parsed.rows] == [None, None, "EUR"]
    assert [row.created_on for row in parsed.rows] == [date(2026, 1, 15), date(2026, 3, 31), date(2026, 2, 1)]
    assert parsed.rows[0].expected_close == date(2026, 3, 31)
    assert [(row.data_row, row.line) for row in parsed.rows] == [(1, 2), (2, 4), (3, 5)]


def test_xlsx_is_recognised_by_its_bytes_whatever_its_name(hubspot_xlsx):
    assert parse_deals(hubspot_xlsx, "export (3).csv").encoding == "xlsx"


def test_xlsx_problems_name_the_sheet_row():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HUBSPOT_HEADERS)
    book.active.append([])
    book.active.append(["1", "Acme", -5, "Won", "Sales", None, None, "Ann"])
    out = io.BytesIO()
    book.save(out)
    (problem,) = parse_deals(out.getvalue(), "deals.xlsx").problems
    assert (problem.data_row, problem.line, problem.column) == (1, 3, "Amount")


@pytest.mark.parametrize(
    "content",
    [b"not a workbook", b"PK\x03\x04garbage", b"PK\x05\x06" + bytes(18)],
    ids=["text", "broken zip", "empty zip"],
)
def test_a_file_named_xlsx_that_is_no_workbook_is_refused(content):
    assert "deals.xlsx" in file_error(content, "deals.xlsx")


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("deals.csv", "Record ID\n1\n")
    assert "not a readable XLSX workbook" in file_error(out.getvalue(), "deals.zip")


def test_an_old_binary_excel_file_is_refused_with_advice():
    assert ".xls" in file_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "deals.xls")


# --- Amounts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "delimiter", "amount", "currency"),
    [
        ("1234", ",", "1234.00", None),
        ("1234.5", ",", "1234.50", None),
        ("1,234.56", ",", "1234.56", None),
        ("1.234,56", ",", "1234.56", None),
        ("1 234,56", ",", "1234.56", None),
        ("1\u202f234,56", ";", "1234.56", None),
        ("1\u00a0234\u00a0567,8", ";", "1234567.80", None),
        ("1,234,567", ",", "1234567.00", None),
        ("1.234.567", ";", "1234567.00", None),
        ("12,34,567.00", ",", "1234567.00", None),
        ("1'234.50", ",", "1234.50", None),
        # One mark and exactly three digits after it: the file's convention decides.
        ("1,234", ",", "1234.00", None),
        ("1,234", "\t", "1234.00", None),
        ("1,234", ";", "1.23", None),
        ("1.234", ";", "1234.00", None),
        ("1.234", ",", "1.23", None),
        ("0,125", ",", "0.13", None),  # a leading zero is never a thousands group; rounded half up
        ("1234,5", ",", "1234.50", None),
        ("€1,234.00", ",", "1234.00", "EUR"),
        ("1,234.00 EUR", ",", "1234.00", "EUR"),
        ("$ 1,234", ",", "1234.00", "USD"),
        ("£99", ",", "99.00", "GBP"),
        ("¥5000", ",", "5000.00", "JPY"),
        ("₹12,34,567", ",", "1234567.00", "INR"),
        ("R$ 1.234,56", ";", "1234.56", "BRL"),
        ("chf 1'234.50", ",", "1234.50", "CHF"),
        ("$1,234 USD", ",", "1234.00", "USD"),
        ("  42  ", ",", "42.00", None),
        ("-0", ",", "0.00", None),
    ],
)
def test_amount_forms(written, delimiter, amount, currency):
    row = only_row(deal(Amount=written), delimiter)
    assert (row.amount, row.currency) == (Decimal(amount), currency)
    assert row.amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("", "empty: every deal needs an amount"),
        ("-5", "'-5' is negative: an amount must be 0 or more"),
        ("$-1,234.00", "'$-1,234.00' is negative: an amount must be 0 or more"),
        ("(1,234.00)", "'(1,234.00)' is negative: an amount must be 0 or more"),
        ("abc", "'abc' is not an amount (expected a number such as 1234.56, 1,234.56 or 1.234,56)"),
        ("1.2.3", "'1.2.3' is not an amount (expected a number such as 1234.56, 1,234.56 or 1.234,56)"),
        (
            "1,234.567,8",
            "'1,234.567,8' is not an amount (expected a number such as 1234.56, 1,234.56 or 1.234,56)",
        ),
        ("1e5", "'1e5' is not an amount (expected a number such as 1234.56, 1,234.56 or 1.234,56)"),
        ("12 XYZ", "'12 XYZ' is not an amount: 'XYZ' is not a currency"),
        ("€5 USD", "'€5 USD' names two currencies"),
        ("1" * 16, f"'{'1' * 16}' is too large: amounts must be below 1,000,000,000,000,000"),
    ],
)
def test_bad_amounts(written, problem):
    found = only_problem(deal(Amount=written))
    assert (found.data_row, found.line, found.column, found.problem) == (1, 2, "Amount", problem)


CURRENCY_HEADER = "Record ID,Associated Company,Amount,Currency,Deal Stage,Pipeline,Create Date\r\n"


def test_currency_codes_from_the_column_are_normalised():
    content = (
        CURRENCY_HEADER + "1,A,5,usd,Won,S,\r\n2,A,5, Eur ,Won,S,\r\n3,A,5,,Won,S,\r\n4,A,€5,,Won,S,\r\n"
    )
    rows = parse_deals(content.encode(), "deals.csv").rows
    assert [row.currency for row in rows] == ["USD", "EUR", None, "EUR"]


def test_currency_problems():
    content = CURRENCY_HEADER + "1,A,5,XYZ,Won,S,\r\n2,A,€5,USD,Won,S,\r\n3,A,€5,EUR,Won,S,\r\n"
    parsed = parse_deals(content.encode(), "deals.csv")
    assert [(p.data_row, p.column, p.problem) for p in parsed.problems] == [
        (1, "Currency", "'XYZ' is not an ISO 4217 currency code"),
        (2, "Amount", "'€5' is in EUR, but the currency is USD"),
    ]


# --- Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "2026-03-31",
        "2026-3-31",
        "2026-03-31 14:05",
        "2026-03-31T14:05:00Z",
        "2026-03-31T23:59:59.123+02:00",
        "03/31/2026",
        "3/31/2026",
        "3/31/2026 2:05 PM",
        "31.03.2026",
        "31.3.2026 14:05",
        "31/03/2026",
        " 2026-03-31 ",
    ],
)
def test_date_forms(written):
    assert only_row(deal(Create_Date=written)).created_on == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("12/31/2026x", "'12/31/2026x' is not a date (expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)"),
        ("31 March 2026", "'31 March 2026' is not a date (expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)"),
        ("3/31/26", "'3/31/26' is not a date (expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)"),
        ("2026-02-30", "'2026-02-30' is not a date: there is no such day"),
        ("31.02.2026", "'31.02.2026' is not a date: there is no such day"),
        ("13/13/2026", "'13/13/2026' is not a date: there is no such day"),
    ],
)
def test_bad_dates(written, problem):
    found = only_problem(deal(Close_Date=written))
    assert (found.data_row, found.line, found.column, found.problem) == (1, 2, "Close Date", problem)


def created_dates(*written: str, delimiter: str = ",") -> list[date | None]:
    rows = [deal(Create_Date=value) for value in written]
    parsed = parse_deals(hubspot_csv(*rows, delimiter=delimiter), "deals.csv")
    assert not parsed.problems, [str(p) for p in parsed.problems]
    return [row.created_on for row in parsed.rows]


def test_ambiguous_slashed_dates_follow_the_file_convention():
    assert created_dates("03/04/2026", "05/06/2026") == [date(2026, 3, 4), date(2026, 5, 6)]
    assert created_dates("03/04/2026", "05/06/2026", delimiter=";") == [date(2026, 4, 3), date(2026, 6, 5)]


def test_one_unambiguous_date_decides_the_whole_column():
    assert created_dates("03/04/2026", "25/12/2026") == [date(2026, 4, 3), date(2026, 12, 25)]
    assert created_dates("03/04/2026", "12/25/2026", delimiter=";") == [date(2026, 3, 4), date(2026, 12, 25)]


def test_each_column_has_its_own_order():
    row = only_row(deal(Create_Date="25/12/2026", Close_Date="12/25/2026"))
    assert (row.created_on, row.expected_close) == (date(2026, 12, 25), date(2026, 12, 25))


def test_a_column_mixing_both_orders_reports_the_rarer_kind():
    rows = [deal(Create_Date=value) for value in ("25/12/2026", "12/26/2026", "27/12/2026", "03/04/2026")]
    parsed = parse_deals(hubspot_csv(*rows), "deals.csv")
    assert parsed.rows == ()
    assert [str(problem) for problem in parsed.problems] == [
        "data row 2 (line 3), column 'Create Date': '12/26/2026' is month-first "
        "but this column's other dates are day-first, like '25/12/2026' on line 2"
    ]


# --- Other values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "segment"),
    [
        ("SMB", "smb"),
        ("smb", "smb"),
        ("SME", "smb"),
        ("Mid-Market", "mid_market"),
        ("Mid market", "mid_market"),
        ("mid_market", "mid_market"),
        ("MM", "mid_market"),
        ("Enterprise", "enterprise"),
        ("ENT", "enterprise"),
        ("", None),
    ],
)
def test_segment_spellings(written, segment):
    content = hubspot_csv(deal()).replace(b"Deal owner\r\n", b"Deal owner,Segment\r\n")
    content = content.replace(b"Ann\r\n", f"Ann,{written}\r\n".encode())
    (row,) = parse_deals(content, "deals.csv").rows
    assert row.segment == segment


def test_an_unknown_segment_is_a_problem():
    content = hubspot_csv(deal()).replace(b"Deal owner\r\n", b"Deal owner,Segment\r\n")
    (problem,) = parse_deals(content.replace(b"Ann\r\n", b"Ann,Huge\r\n"), "deals.csv").problems
    assert (problem.column, problem.problem) == (
        "Segment",
        "'Huge' is not a segment (expected SMB, Mid-Market or Enterprise)",
    )


def test_text_is_stripped_and_over_long_values_are_problems():
    row = only_row(deal(Associated_Company="  Acme  ", Deal_Stage=" Won ", Deal_owner=" Ann "))
    assert (row.account, row.stage, row.owner) == ("Acme", "Won", "Ann")
    problem = only_problem(deal(Associated_Company="x" * 201))
    assert (problem.column, problem.problem) == ("Associated Company", "201 characters long; at most 200 fit")


def test_runaway_cells_are_problems_found_quickly_and_shown_short():
    junk = "-" + " " * 20_000 + "x"
    parsed = parse_deals(hubspot_csv(deal(Amount=junk, Create_Date="2026-01-01" + junk)), "deals.csv")
    assert [problem.problem for problem in parsed.problems] == [
        f"'-{' ' * 49}…' (20002 characters) is not an amount "
        "(expected a number such as 1234.56, 1,234.56 or 1.234,56)",
        f"'2026-01-01-{' ' * 39}…' (20012 characters) is not a date "
        "(expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)",
    ]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("Record ID", "empty: every deal needs an ID"),
        ("Associated Company", "empty: every deal needs an account"),
        ("Deal Stage", "empty: every deal needs a stage"),
    ],
)
def test_required_values(header, problem):
    row = deal()
    row[header] = "  "
    found = only_problem(row)
    assert (found.column, found.problem) == (header, problem)


# --- Rows, lines and problems --------------------------------------------------------------------


def test_duplicate_ids_are_reported_on_the_later_row_naming_the_first():
    rows = [deal(Record_ID="A1"), deal(Record_ID="B2"), deal(Record_ID="A1"), deal(Record_ID="A1")]
    parsed = parse_deals(hubspot_csv(*rows), "deals.csv")
    assert parsed.rows == ()
    assert [(p.data_row, p.line, p.column, p.problem) for p in parsed.problems] == [
        (3, 4, "Record ID", "'A1' is a duplicate: data row 1 (line 2) has this ID"),
        (4, 5, "Record ID", "'A1' is a duplicate: data row 1 (line 2) has this ID"),
    ]


def test_every_problem_of_every_row_is_reported_with_row_line_and_column():
    rows = [
        deal(Amount="-1", Create_Date="soon"),
        deal(Associated_Company='Two\nline "name"'),
        deal(Deal_Stage="", Close_Date="2026-13-01"),
    ]
    parsed = parse_deals(hubspot_csv(*rows), "deals.csv")
    assert parsed.rows == ()
    assert [str(problem) for problem in parsed.problems] == [
        "data row 1 (line 2), column 'Amount': '-1' is negative: an amount must be 0 or more",
        "data row 1 (line 2), column 'Create Date': 'soon' is not a date "
        "(expected YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)",
        "data row 3 (line 5), column 'Deal Stage': empty: every deal needs a stage",
        "data row 3 (line 5), column 'Close Date': '2026-13-01' is not a date: there is no such day",
    ]


def test_blank_lines_and_empty_rows_are_skipped_but_counted_as_lines():
    content = (
        b"\r\nRecord ID,Associated Company,Amount,Deal Stage,Pipeline,Create Date\r\n\r\n"
        b"1,Acme,5,Won,S,\r\n,,,,,\r\n  ,\t, , , ,\r\n\r\n"
        b'2,"Multi\r\nline\nname",5,Won,S,\r\n'
        b"3,Acme,5,Won,S,not a date\r\n"
    )
    parsed = parse_deals(content, "deals.csv")
    (problem,) = parsed.problems
    assert (problem.data_row, problem.line) == (3, 11)
    _, records, _, _ = read_table(content, "deals.csv")
    assert [line for line, _ in records] == [4, 8, 11]


def test_a_row_with_more_values_than_headers_is_a_problem_unless_they_are_empty():
    header = b"Record ID,Associated Company,Amount,Deal Stage,Pipeline,Create Date\r\n"
    content = header + b"1,Acme,5,Won,S,,,\r\n2,Acme,1,234.50,Won,S,2026-01-05\r\n"
    problem = parse_deals(content, "deals.csv").problems[0]
    assert (problem.data_row, problem.line, problem.column) == (2, 3, "(column 7)")
    assert problem.problem == (
        "7 values but the header has 6 columns: is a value containing the delimiter missing its quotes?"
    )


def test_short_rows_read_missing_cells_as_empty():
    content = hubspot_csv().replace(b"\r\n", b"\r\n1,Acme,5,Won\r\n")
    (row,) = parse_deals(content, "deals.csv").rows
    assert (row.created_on, row.owner) == (None, "")


# --- Delimiters, encodings and whole-file errors ---------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_delimiter_and_encoding_are_detected(delimiter, encoding):
    content = hubspot_csv(
        deal(Associated_Company="Müller; Söhne, Café\t€"), delimiter=delimiter, encoding=encoding
    )
    parsed = parse_deals(content, "deals.csv")
    assert (parsed.delimiter, parsed.encoding) == (delimiter, encoding)
    assert parsed.rows[0].account == "Müller; Söhne, Café\t€"


def test_delimiter_counts_only_outside_quotes():
    content = b'"Amount (EUR, net, incl. discount)";Deal;Stage;ID\r\n"1.234,50";Acme;Won;7\r\n'
    headers, records, _, delimiter = read_table(content, "deals.csv")
    assert delimiter == ";"
    assert headers == ("Amount (EUR, net, incl. discount)", "Deal", "Stage", "ID")
    mapping = {"crm_id": "ID", "account": "Deal", "amount": headers[0], "stage": "Stage"}
    (row,) = parse_deals(content, "deals.csv", format="mapped", mapping=mapping).rows
    assert row.amount == Decimal("1234.50")


def test_excel_sep_line_sets_the_delimiter_and_counts_as_a_line():
    content = b"sep=;\r\nRecord ID;Associated Company;Amount;Deal Stage;Pipeline;Create Date\r\n"
    content += b"1;Acme;1,234;Won;S;x\r\n"
    (problem,) = parse_deals(content, "deals.csv").problems
    assert (problem.line, problem.column) == (3, "Create Date")
    assert read_table(content, "deals.csv")[3] == ";"


def test_a_single_column_file_defaults_to_comma():
    assert read_table(b"Record ID\r\n1\r\n", "ids.csv")[0] == ("Record ID",)
    assert read_table(b"Record ID\r\n1\r\n", "ids.csv")[3] == ","


def test_bytes_undefined_in_windows_1252_are_named_with_their_line():
    message = file_error(b"Record ID,Associated Company\r\n1,Caf\xe9 \x81\r\n", "deals.csv")
    assert message == (
        "deals.csv: line 2: byte 0x81 is neither UTF-8 nor Windows-1252 text; save the file as CSV UTF-8"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "deals.csv: the file is empty"),
        (b"\r\n \r\n\r\n", "deals.csv: no header row: the file has no text"),
        ("Record ID,Associated Company".encode("utf-32"), "deals.csv: UTF-16 text is not supported"),
        (b"Record ID\x00,Name", "deals.csv: byte 9 is a NUL"),
        (
            b"\xef\xbb\xbfRecord ID,\xff",
            "deals.csv: starts with a UTF-8 mark, but line 1 holds byte 0xFF, which is not UTF-8",
        ),
        (
            b'Record ID,"unterminated\r\n' + b"x" * 140_000,
            "deals.csv: line 1: a value longer than 131,072 characters (a quote that is never closed?)",
        ),
    ],
)
def test_unreadable_files(content, expected):
    assert file_error(content).startswith(expected)


def test_duplicate_headers_are_named():
    message = file_error(b"Record ID,Amount,Deal Stage,Amount\r\n1,2,3,4\r\n")
    assert message == "deals.csv: the header 'Amount' appears twice (columns 2 and 4)"


@pytest.mark.parametrize("other", ["AMOUNT ", "amount", " Amount", "A mount", "AMOUNT\t"])
def test_headers_differing_only_in_case_or_spaces_are_duplicates(other):
    message = file_error(f"Record ID,Amount,Deal Stage,{other}\r\n1,2,3,4\r\n".encode())
    assert message == (
        f"deals.csv: the headers 'Amount' (column 2) and '{other}' (column 4) differ only in case or "
        "spaces; rename or delete one"
    )


def test_headers_differing_in_more_than_case_or_spaces_are_distinct():
    assert read_table(b"Record ID,Amount,Deal Stage,Amount Currency,Amount (EUR)\r\n", "deals.csv")[0] == (
        "Record ID",
        "Amount",
        "Deal Stage",
        "Amount Currency",
        "Amount (EUR)",
    )


def test_a_file_of_hubspots_maximum_250000_rows_is_read_and_one_more_is_refused():
    rows = b"".join(b"%d,Acme,100,won\r\n" % number for number in range(1, 250_001))
    _, records, _, _ = read_table(b"Record ID,Associated Company,Amount,Deal Stage\r\n" + rows, "deals.csv")
    assert len(records) == 250_000 and records[-1] == (250_001, ["250000", "Acme", "100", "won"])
    message = file_error(
        b"Record ID,Associated Company,Amount,Deal Stage\r\n" + rows + b"250001,Acme,100,won\r\n"
    )
    assert message == "deals.csv: more than 250,000 data rows; split the file"


def test_a_header_wider_than_1000_columns_is_refused():
    header = ",".join(f"Column {number}" for number in range(1, 1_002)).encode()
    assert read_table(header.rsplit(b",", 1)[0] + b"\r\n", "deals.csv")[0][-1] == "Column 1000"
    assert file_error(header + b"\r\n") == "deals.csv: the header has 1,001 columns; at most 1,000 are read"


def test_hard_limits(monkeypatch):
    monkeypatch.setattr(limits, "MAX_BYTES", 100)
    assert "at most 100 are accepted" in file_error(b"x" * 101)
    monkeypatch.setattr(limits, "MAX_BYTES", 50 * 1024 * 1024)
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    assert parse_deals(hubspot_csv(deal(), deal(), deal()), "deals.csv").rows
    assert "more than 3 data rows" in file_error(hubspot_csv(deal(), deal(), deal(), deal()))


# --- Formats and mappings ----------------------------------------------------------------------------


def test_detect_format():
    assert detect_format(HUBSPOT_HEADERS) == "hubspot"
    assert detect_format(SALESFORCE_HEADERS) == "salesforce"
    assert detect_format(["RECORD ID", "deal name", "DEAL_STAGE", "pipeline"]) == "hubspot"
    assert (
        detect_format(["Record ID", "Associated Company", "Deal Stage", "Amount", "Close Date"]) is None
    )  # 2 + generic
    assert (
        detect_format(["Associated Company", "Deal Stage", "Pipeline", "Deal owner"]) is None
    )  # no ID column
    assert detect_format(["Opportunity ID", "Account Name", "Stage", "Opportunity Owner"]) == "salesforce"
    assert detect_format(["ID", "Customer", "Value", "Status"]) is None
    assert detect_format([]) is None


def test_suggest_mapping_knows_both_crms_and_common_names():
    assert suggest_mapping(SALESFORCE_HEADERS) == {
        "crm_id": "Opportunity ID",
        "name": "Opportunity Name",
        "account": "Account Name",
        "amount": "Amount",
        "currency": "Amount Currency",
        "stage": "Stage",
        "created_on": "Created Date",
        "expected_close": "Close Date",
        "owner": "Opportunity Owner",
    }
    assert (
        suggest_mapping(["Associated Company", "Deal Name", "Record ID"])["account"] == "Associated Company"
    )
    generic = [
        "deal id",
        "COMPANY",
        "Value",
        "currency",
        "Stage",
        "Close date",
        "Created-Date",
        "Owner",
        "  ",
    ]
    assert suggest_mapping(generic) == {
        "crm_id": "deal id",
        "account": "COMPANY",
        "amount": "Value",
        "currency": "currency",
        "stage": "Stage",
        "created_on": "Created-Date",
        "expected_close": "Close date",
        "owner": "Owner",
    }
    assert suggest_mapping(["Foo", "Bar"]) == {}
    assert set(suggest_mapping(HUBSPOT_HEADERS)) <= set(READ_FIELDS)


def test_a_detected_export_missing_a_required_column_names_it():
    content = b"Record ID,Associated Company,Deal Stage,Pipeline,Create Date\r\n1,Acme,Won,S,\r\n"
    assert (
        file_error(content) == "deals.csv: this HubSpot export has no column for amount (expected 'Amount')"
    )


def test_the_footer_of_a_salesforce_classic_report_is_no_deal():
    content = (DATA / "salesforce_opportunities.csv").read_bytes() + (
        b'\r\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
        b'"Confidential Information - Do Not Distribute"\r\n"Generated By:  Jane Doe  31.03.2026 14:05"\r\n'
        b'"Acme Europe GmbH"\r\n'
    )
    parsed = parse_deals(content, "report1642777476321.csv")
    assert (len(parsed.rows), parsed.problems) == (3, ())


def test_explicit_format_skips_detection():
    content = b"Opportunity ID,Account Name,Amount,Stage\r\n0061,Acme,5,Won\r\n"
    assert "map the file's columns" in file_error(content)
    (row,) = parse_deals(content, "opps.csv", format="salesforce").rows
    assert (row.crm_id, row.account, row.amount, row.stage) == ("0061", "Acme", Decimal("5.00"), "Won")


def test_mapping_errors_name_the_field_or_header():
    content = hubspot_csv(deal())
    assert "needs a mapping" in file_error(content, format="mapped")
    mapping = {"crm_id": "Record ID", "account": "Associated Company", "amount": "Amount"}
    assert file_error(content, format="mapped", mapping=mapping) == (
        "deals.csv: the mapping leaves required field(s) stage without a column"
    )
    assert "'Stage', which is not a column" in file_error(
        content, format="mapped", mapping=mapping | {"stage": "Stage"}
    )
    assert "unknown fields ['probability']" in file_error(
        content, format="mapped", mapping=mapping | {"stage": "Deal Stage", "probability": "Amount"}
    )
    assert "only used with format 'mapped'" in file_error(content, mapping=mapping)
    assert "unknown format 'pipedrive'" in file_error(content, format="pipedrive")


def test_mapping_headers_match_loosely_and_unmapped_fields_may_be_blank():
    mapping = {
        "crm_id": "record id",
        "account": "ASSOCIATED COMPANY",
        "amount": "Amount",
        "stage": "Deal Stage",
        "owner": "",
    }
    (row,) = parse_deals(hubspot_csv(deal()), "deals.csv", format="mapped", mapping=mapping).rows
    assert (row.crm_id, row.account, row.owner, row.created_on) == ("1", "Acme", "", None)


def test_public_shapes():
    assert [field.name for field in fields(DealRow)] == [
        *FIELDS,
        "data_row",
        "line",
        "pipeline",
        "crm_source",
    ]
    assert [field.name for field in fields(RowProblem)] == ["data_row", "line", "column", "problem"]
    assert [field.name for field in fields(ParsedFile)] == [
        "format",
        "headers",
        "rows",
        "problems",
        "encoding",
        "delimiter",
        "field_headers",
        "valid_rows",
        "problem_rows",
    ]
    assert issubclass(CrmFileError, ValueError)


# --- Properties --------------------------------------------------------------------------------------

# What a Windows-1252 file holds: Western words, an accented letter inside some, and a few signs.
WESTERN_WORD = st.builds(
    "".join,
    st.tuples(
        st.text(string.ascii_letters, min_size=1, max_size=6),
        st.sampled_from(["", *"àáâäåæçèéêëíîïñòóôöøùúûüýÿßÀÂÄÅÇÉÑÖØÜŒœŠšŽž"]),
        st.text(string.ascii_letters, max_size=6),
    ),
)
WESTERN_TEXT = st.lists(st.one_of(WESTERN_WORD, st.sampled_from(["€", "–", "°", "&", "12"])), max_size=3).map(
    " ".join
)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=200).map(lambda tail: ",".join(HUBSPOT_HEADERS).encode() + b"\r\n" + tail),
        st.text(alphabet=',;\t"\r\n 0123456789./-€$ABCabc', max_size=200).map(
            lambda tail: (";".join(HUBSPOT_HEADERS) + "\n" + tail).encode()
        ),
    ),
    filename=st.sampled_from(["deals.csv", "deals.xlsx", "deals"]),
)
def test_any_bytes_give_a_result_or_a_crm_file_error(content, filename):
    try:
        headers = read_table(content, filename)[0]
        parse_deals(content, filename)
    except CrmFileError:
        return
    with contextlib.suppress(CrmFileError):
        parse_deals(content, filename, format="mapped", mapping=suggest_mapping(headers))


SALESFORCE_ROUND_TRIP = {
    "crm_id": "Opportunity ID",
    "name": "Opportunity Name",
    "account": "Account Name",
    "amount": "Amount",
    "currency": "Opportunity Currency",
    "stage": "Stage",
    "created_on": "Created Date",
    "expected_close": "Close Date",
    "owner": "Opportunity Owner",
    "lost_reason": "Loss Reason",
}
HUBSPOT_ROUND_TRIP = {
    "crm_id": "Record ID",
    "name": "Deal Name",
    "account": "Associated Company",
    "amount": "Amount",
    "currency": "Deal currency code",
    "stage": "Deal Stage",
    "created_on": "Create Date",
    "expected_close": "Close Date",
    "owner": "Deal owner",
    "lost_reason": "Closed lost reason",
}
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹", "BRL": "R$"}
AMOUNT_STYLES = {
    "plain": lambda amount: f"{amount:.2f}",
    "us": lambda amount: f"{amount:,.2f}",
    "european": lambda amount: f"{amount:,.2f}".translate(str.maketrans(",.", ".,")),
    "spaced": lambda amount: f"{amount:,.2f}".replace(",", "\u202f").replace(".", ","),
}


def date_text(day: date | None, style: str, day_first: bool) -> str:
    if day is None:
        return ""
    if style == "iso":
        return day.isoformat()
    if style == "iso time":
        return f"{day.isoformat()}T08:30:00Z"
    if style == "dotted":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    first, second = (day.day, day.month) if day_first else (day.month, day.day)
    return f"{first}/{second:02d}/{day.year}"


@st.composite
def export_files(draw):
    """(content, expected DealRows, [line of each row], delimiter, encoding) of a valid generated export."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    any_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30)
    text = (WESTERN_TEXT if encoding == "cp1252" else any_text).map(str.strip)
    required_text = text.filter(bool)
    columns = draw(st.sampled_from([HUBSPOT_ROUND_TRIP, SALESFORCE_ROUND_TRIP]))
    amount_style = draw(st.sampled_from(sorted(AMOUNT_STYLES)))
    date_style = draw(st.sampled_from(["iso", "iso time", "dotted", "slashed"]))
    currency_style = draw(st.sampled_from(["column", "symbol", "code", "none"]))
    currencies = sorted(set(SYMBOLS) - {"INR"}) if encoding == "cp1252" else sorted(SYMBOLS)  # no ₹ in cp1252
    ids = draw(st.lists(required_text.filter(lambda i: len(i) <= 100), min_size=1, max_size=8, unique=True))
    expected = []
    for number, crm_id in enumerate(ids, start=1):
        currency = None if currency_style == "none" else draw(st.sampled_from(currencies))
        expected.append(
            DealRow(
                crm_id=crm_id,
                name=draw(text),
                account=draw(required_text),
                amount=draw(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)),
                currency=currency,
                stage=draw(required_text),
                created_on=draw(st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31))),
                expected_close=draw(st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31))),
                closed_on=None,
                owner=draw(text),
                segment=None,
                lost_reason=draw(text),
                data_row=number,
                line=0,
            )
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    headers = list(columns.values())
    writer.writerow(headers)
    lines = []
    day_first = delimiter == ";"  # ambiguous slashed dates follow the file's convention
    for row in expected:
        lines.append(len(io.StringIO(out.getvalue(), newline="").readlines()) + 1)
        amount = AMOUNT_STYLES[amount_style](row.amount)
        if encoding == "cp1252":
            amount = amount.replace("\u202f", "\u00a0")  # Windows-1252 has only the wide no-break space
        if currency_style == "symbol" and row.currency:
            amount = f"{SYMBOLS[row.currency]}{amount}"
        elif currency_style == "code" and row.currency:
            amount = f"{amount} {row.currency}"
        values = {
            "crm_id": row.crm_id,
            "name": row.name,
            "account": row.account,
            "amount": amount,
            "currency": row.currency if currency_style == "column" else "",
            "stage": row.stage,
            "created_on": date_text(row.created_on, date_style, day_first),
            "expected_close": date_text(row.expected_close, date_style, day_first),
            "owner": row.owner,
            "lost_reason": row.lost_reason,
        }
        writer.writerow([values[field] for field in columns])
    content = out.getvalue().encode(encoding)
    if encoding == "cp1252":
        # Windows-1252 bytes that happen to be valid UTF-8 ("Ã©") are read as UTF-8: not a real file.
        try:
            content.decode("utf-8")
            assume(content.isascii())
        except UnicodeDecodeError:
            pass
    expected = [replace(row, line=line) for row, line in zip(expected, lines, strict=True)]
    return content, expected, delimiter, encoding


@FAST
@given(export_files())
def test_a_valid_generated_export_round_trips(export):
    content, expected, delimiter, encoding = export
    parsed = parse_deals(content, "export.csv")
    assert parsed.problems == ()
    assert parsed.delimiter == delimiter
    assert parsed.encoding == ("utf-8" if encoding == "cp1252" and content.isascii() else encoding)
    assert list(parsed.rows) == expected


BAD_VALUES = {
    "amount": ["-5.00", "-€1", "twelve"],
    "created_on": ["2026-02-30", "12/31/2026x", "31.13.2026", "yesterday"],
    "expected_close": ["2026-13-01", "00.00.0000"],
}


@FAST
@given(export_files(), st.data())
def test_one_bad_value_gives_no_rows_and_one_problem_naming_its_row(export, data):
    content, expected, delimiter, encoding = export
    victim = data.draw(st.sampled_from(expected))
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    bad_value = data.draw(st.sampled_from(BAD_VALUES[field]))
    headers, records, _, _ = read_table(content, "export.csv")
    columns = HUBSPOT_ROUND_TRIP if headers[0] == "Record ID" else SALESFORCE_ROUND_TRIP
    header = columns[field]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for number, (_, cells) in enumerate(records, start=1):
        if number == victim.data_row:
            cells = [bad_value if name == header else cell for name, cell in zip(headers, cells, strict=True)]
        writer.writerow(cells)
    parsed = parse_deals(out.getvalue().encode(encoding), "export.csv")
    assert parsed.rows == ()
    (problem,) = parsed.problems
    assert (problem.data_row, problem.line, problem.column) == (victim.data_row, victim.line, header)
    assert bad_value in problem.problem
