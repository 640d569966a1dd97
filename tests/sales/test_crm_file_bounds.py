"""Crafted workbooks are refused before they are read, in bounded time and memory.

Each test times a normal 200-row workbook read in the same test and requires the refusal to take less
time: before the bounds, one cell at column XFD in each of 5,000 rows took seconds and hundreds of
megabytes, and a part padded to 60 MB was unpacked in full.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from rollout.sales.crm_files import CrmFileError, parse_deals

HEADERS = ["Record ID", "Deal Name", "Amount", "Deal Stage", "Pipeline", "Create Date", "Deal owner"]
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MEMORY_BOUND = 40 * 1024 * 1024


def workbook(rows: int = 2) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for number in range(1, rows):
        sheet.append([number, f"Acme {number}", 100, "won", "Sales", "2026-01-05", "ana@x.example"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook())) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            data = xml if member.filename == SHEET else source.read(member)
            target.writestr(member.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "") -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{head}<sheetData>{rows}</sheetData></worksheet>'.encode()


def header_row() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{header}</t></is></c>' for header in HEADERS)
    return f'<row r="1">{cells}</row>'


def measured(content: bytes) -> tuple[float, int, str]:
    """(seconds, peak traced bytes, the refusal) of parsing `content`, which must be refused."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(CrmFileError) as refusal:
            parse_deals(content, "deals.xlsx")
        return time.perf_counter() - started, tracemalloc.get_traced_memory()[1], str(refusal.value)
    finally:
        tracemalloc.stop()


def normal_read_seconds() -> float:
    """The quickest of three reads of a normal 200-row workbook (after one that warms imports)."""
    content = workbook(rows=201)
    parse_deals(content, "deals.xlsx")
    seconds = []
    for _ in range(3):
        started = time.perf_counter()
        assert len(parse_deals(content, "deals.xlsx").rows) == 200
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def assert_bounded(content: bytes) -> str:
    """The refusal of `content`, checked to take less time than a normal read and bounded memory."""
    normal = normal_read_seconds()
    seconds, peak, refusal = min(measured(content) for _ in range(3))
    assert seconds < normal, f"refused in {seconds:.3f} s; a normal 200-row file reads in {normal:.3f} s"
    assert peak < MEMORY_BOUND, f"{peak:,} bytes traced while refusing a {len(content):,}-byte file"
    return refusal


XFD_ROWS = "".join(
    f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, 5002)
)


@pytest.mark.parametrize(
    ("dimension", "refusal"),
    [
        ("A1:XFD5001", "the sheet declares 16,384 columns; at most 1,000 are read"),
        ("A1:B5001", "row 2 has a value in column 16,384; at most 1,000 columns are read"),  # a false one
        ("", "row 2 has a value in column 16,384; at most 1,000 columns are read"),
    ],
    ids=["declared", "declared narrower", "undeclared"],
)
def test_a_cell_at_column_xfd_in_every_row_is_refused_at_once(dimension, refusal):
    content = with_sheet(sheet_xml(header_row() + XFD_ROWS, dimension))
    assert assert_bounded(content) == f"deals.xlsx: {refusal}: delete the columns beyond"


def test_cells_without_references_count_from_the_row_start():
    wide = "<row>" + "<c/>" * 1_000 + '<c t="inlineStr"><is><t>x</t></is></c></row>'
    content = with_sheet(sheet_xml(header_row() + wide * 200))  # small enough to pass the packing check
    assert "row 2 has a value in column 1,001;" in assert_bounded(content)


def test_a_sheet_as_wide_as_the_limit_is_read():
    cells = "".join(f'<c r="{openpyxl.utils.get_column_letter(n)}2"><v>1</v></c>' for n in range(8, 1001))
    row = '<row r="2"><c r="A2"><v>7</v></c><c r="B2" t="inlineStr"><is><t>Acme</t></is></c>'
    row += '<c r="C2"><v>5</v></c><c r="D2" t="inlineStr"><is><t>won</t></is></c>' + cells + "</row>"
    parsed = parse_deals(with_sheet(sheet_xml(header_row() + row)), "deals.xlsx")
    assert [(deal.crm_id, deal.account) for deal in parsed.valid_rows] == [("7", "Acme")]
    assert parsed.problems[0].problem.startswith("1000 values but the header has 7 columns")


def test_a_part_padded_far_beyond_its_packed_size_is_refused_unread():
    padding = b" " * (60 * 1024 * 1024)
    content = with_sheet(sheet_xml(header_row()).replace(b"<sheetData>", padding + b"<sheetData>"))
    assert len(content) < 200_000
    refusal = assert_bounded(content)
    assert refusal.startswith(f"deals.xlsx: its part {SHEET} unpacks to 62,915,")
    assert refusal.endswith("(at most 100 is read): a zip bomb, not a spreadsheet")


def test_a_cell_longer_than_the_limit_is_refused_naming_row_and_column():
    cell = '<c r="B2" t="inlineStr"><is><t>' + "x" * 131_073 + "</t></is></c>"
    content = with_sheet(sheet_xml(header_row() + f'<row r="2"><c r="A2"><v>1</v></c>{cell}</row>'))
    with pytest.raises(CrmFileError) as refusal:
        parse_deals(content, "deals.xlsx")
    assert (
        str(refusal.value)
        == "deals.xlsx: row 2, column 2: a value of 131,073 characters; at most 131,072 are read"
    )
