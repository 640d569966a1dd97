"""Bytes into a table: the file's kind, its encoding and CSV dialect, or an XLSX workbook's first sheet."""

from __future__ import annotations

import csv
import io
import warnings
from datetime import date, datetime
from decimal import Decimal

from rollout.platform.uploads import MAX_UPLOAD_BYTES, UploadRefused, check_upload
from rollout.sales.crm_files.headers import header_row
from rollout.sales.crm_files.model import CrmFileError, Records

MAX_BYTES = MAX_UPLOAD_BYTES  # size, content kind and zip bombs: see rollout/platform/uploads.py
MAX_ROWS = 200_000
DELIMITERS = (",", ";", "\t")


def read_table(content: bytes, filename: str) -> tuple[tuple[str, ...], Records, str, str | None]:
    """(headers, [(line, cells)], encoding, delimiter). XLSX by zip magic bytes or .xlsx name, else CSV.

    The header is the first row with any text; blank rows are left out. `line` is where a row starts:
    the physical line of a CSV (a quoted newline starts a new one), the sheet row of an XLSX.
    """
    try:
        kind = check_upload(content, filename, kinds=("csv", "xlsx"), max_bytes=MAX_BYTES)
    except UploadRefused as error:
        raise CrmFileError(str(error)) from error
    if kind == "xlsx":
        table, encoding, delimiter = _read_xlsx(content, filename), "xlsx", None
    else:
        text, encoding = _decode(content, filename)
        delimiter, skipped_lines, text = _sniff_delimiter(text)
        table = _read_csv(text, delimiter, skipped_lines, filename)
    if not table:
        raise CrmFileError(f"{filename}: no header row: the file has no text")
    (_, header), records = table[0], table[1:]
    return header_row(header, filename), records, encoding, delimiter


def _decode(content: bytes, filename: str) -> tuple[str, str]:
    """Text that check_upload let through (no NUL, not UTF-16): UTF-8, with or without BOM, or cp1252."""
    has_bom = content.startswith(b"\xef\xbb\xbf")
    try:
        return (content[3:] if has_bom else content).decode("utf-8"), "utf-8-sig" if has_bom else "utf-8"
    except UnicodeDecodeError as error:
        if has_bom:
            offset = error.start + 3
            raise CrmFileError(
                f"{filename}: starts with a UTF-8 mark, but byte 0x{content[offset]:02X} "
                f"at offset {offset} is not UTF-8"
            ) from error
    try:
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise CrmFileError(
            f"{filename}: byte 0x{content[error.start]:02X} at offset {error.start} is neither UTF-8 "
            "nor Windows-1252 text; save the file as CSV UTF-8"
        ) from error


def _sniff_delimiter(text: str) -> tuple[str, int, str]:
    """(delimiter, lines consumed by an Excel "sep=" line, the text without that line)."""
    head = text[:65536]
    start = len(head) - len(head.lstrip("\r\n"))
    end = head.find("\n", start)
    first_line = head[start : end if end >= 0 else None].rstrip("\r")
    if first_line.lower().startswith("sep=") and first_line[4:] in DELIMITERS:
        skipped = head.count("\n", 0, end) + 1 if end >= 0 else 1
        return first_line[4:], skipped, text[end + 1 :] if end >= 0 else ""
    counts = dict.fromkeys(DELIMITERS, 0)
    in_quotes = started = False
    for char in head[start:]:
        if char == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char in "\r\n":
            if started:
                break
        else:
            started = True
            if char in counts:
                counts[char] += 1
    best = max(DELIMITERS, key=counts.__getitem__)  # ties go to the earlier, more common delimiter
    return (best if counts[best] else ","), 0, text


def _read_csv(text: str, delimiter: str, skipped_lines: int, filename: str) -> Records:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Records = []
    line = skipped_lines + 1
    try:
        for cells in reader:
            if cells and (cells[0].strip() or "".join(cells).strip()):
                table.append((line, cells))
                if len(table) > MAX_ROWS + 1:
                    raise CrmFileError(f"{filename}: more than {MAX_ROWS:,} data rows; split the file")
            line = skipped_lines + reader.line_num + 1
    except csv.Error as error:
        raise CrmFileError(f"{filename}: line {line}: {error}") from error
    return table


def _read_xlsx(content: bytes, filename: str) -> Records:
    """The first sheet's rows as text; sheet row numbers stand in for lines."""
    import openpyxl  # slow to import, and most uploads are CSV

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a damaged or foreign zip fails in many ways inside openpyxl
        raise CrmFileError(f"{filename}: not a readable XLSX workbook ({type(error).__name__})") from error
    try:
        if not book.worksheets:
            raise CrmFileError(f"{filename}: the workbook has no sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the stored dimensions are often wrong and would cut rows off
        table: Records = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if "".join(cells).strip():
                table.append((number, cells))
                if len(table) > MAX_ROWS + 1:
                    raise CrmFileError(f"{filename}: more than {MAX_ROWS:,} data rows; split the file")
        return table
    except CrmFileError:
        raise
    except Exception as error:
        raise CrmFileError(f"{filename}: the first sheet cannot be read ({type(error).__name__})") from error
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        # Excel stores every number as a float: IDs and whole amounts must not gain a ".0".
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)
