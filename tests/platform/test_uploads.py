"""Uploads are checked on the server: size, and content rather than name, before anything reads them."""

from __future__ import annotations

import io
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollout.platform import uploads
from rollout.platform.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, UploadRefused, check_upload
from rollout.sales.crm_files import CrmFileError, read_table

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00"


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Record ID", "Deal Name"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zipped(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def refusal(content: bytes, filename: str, kinds=("csv", "xlsx"), **limits) -> str:
    with pytest.raises(UploadRefused) as error:
        check_upload(content, filename, kinds=kinds, **limits)
    return str(error.value)


def test_the_server_limit_is_streamlits_upload_limit():
    config = tomllib.loads(CONFIG.read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB  # Streamlit counts MiB
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1024 * 1024


def test_the_config_fits_an_internal_tool():
    config = tomllib.loads(CONFIG.read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True  # XSRF protection needs CORS protection on


def test_a_file_over_the_limit_is_refused_naming_it_and_the_limit():
    assert refusal(b"x" * 101, "big.csv", max_bytes=100) == (
        "big.csv: the file is 101 bytes; at most 100 are accepted"
    )
    assert check_upload(b"x" * 100, "just.csv", max_bytes=100) == "csv"


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"", "deals.csv", "deals.csv: the file is empty"),
        (PNG, "deals.csv", "deals.csv: byte 8 is a NUL: this is a binary file, not a CSV or XLSX file"),
        (EXE, "deals.csv", "deals.csv: byte 3 is a NUL: this is a binary file"),
        (PDF, "deals.txt", "deals.txt: byte 35 is a NUL: this is a binary file"),
        ("Record ID".encode("utf-16"), "deals.csv", "deals.csv: UTF-16 text is not supported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "deals.xls", "deals.xls: an old Excel (.xls)"),
        (b"Record ID,Deal Name\r\n", "deals.xlsx", "deals.xlsx: neither a CSV nor an XLSX file"),
        (zipped("word/document.xml", b"<w/>"), "deals.xlsx", "deals.xlsx: not a readable XLSX workbook"),
        (zipped("deals.csv", b"Record ID\n1\n"), "deals.zip", "deals.zip: not a readable XLSX workbook"),
    ],
)
def test_a_file_that_is_not_what_its_page_reads_is_refused(content, filename, expected):
    assert refusal(content, filename).startswith(expected)


def test_a_csv_only_import_refuses_a_workbook_even_named_csv():
    assert refusal(workbook(), "eurofxref-hist.csv", kinds=("csv",)) == (
        "eurofxref-hist.csv: a zip archive, not a CSV file; unzip it first"
    )


def test_the_kind_comes_from_the_content_not_the_name():
    assert check_upload(workbook(), "export (3).csv", kinds=("csv", "xlsx")) == "xlsx"
    assert check_upload("Café;Ä\r\n".encode("cp1252"), "deals.txt", kinds=("csv", "xlsx")) == "csv"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_XLSX_UNPACKED_BYTES", 1000)
    bomb = zipped("[Content_Types].xml", b" " * 1001)
    assert refusal(bomb, "deals.xlsx") == "deals.xlsx: the workbook unpacks to 1,001 bytes; too large to read"


def test_the_crm_import_reports_a_refusal_as_a_file_error():
    with pytest.raises(CrmFileError, match="^deals.csv: byte 8 is a NUL"):
        read_table(PNG, "deals.csv")


@settings(max_examples=200, deadline=None)
@given(content=st.binary(min_size=1, max_size=300), filename=st.sampled_from(["a.csv", "a.xlsx", "a"]))
def test_any_bytes_are_accepted_as_one_kind_or_refused_with_the_file_named(content, filename):
    try:
        kind = check_upload(content, filename, kinds=("csv", "xlsx"))
    except UploadRefused as error:
        assert str(error).startswith(f"{filename}: ")
        return
    assert (kind, b"\x00" in content) == ("csv", False)  # random bytes are never a workbook
