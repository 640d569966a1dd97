"""Bytes into a table: the file's kind, its encoding and CSV dialect, or an XLSX workbook's first sheet."""

from __future__ import annotations

import csv
import io

from rollout.platform.uploads import UploadRefused, check_upload
from rollout.sales.crm_files import limits
from rollout.sales.crm_files.encoding import decode
from rollout.sales.crm_files.headers import header_row
from rollout.sales.crm_files.model import CrmFileError, Records
from rollout.sales.crm_files.xlsx import read_xlsx

DELIMITERS = (",", ";", "\t")


def read_table(content: bytes, filename: str) -> tuple[tuple[str, ...], Records, str, str | None]:
    """(headers, [(line, cells)], encoding, delimiter). XLSX by zip magic bytes or .xlsx name, else CSV.

    The header is the first row with any text; blank rows are left out. `line` is where a row starts:
    the physical line of a CSV (a quoted newline starts a new one), the sheet row of an XLSX.
    """
    try:
        kind = check_upload(content, filename, kinds=("csv", "xlsx"), max_bytes=limits.MAX_BYTES, utf16=True)
    except UploadRefused as error:
        raise CrmFileError(str(error)) from error
    if kind == "xlsx":
        table, encoding, delimiter = read_xlsx(content, filename), "xlsx", None
    else:
        text, encoding = decode(content, filename)
        delimiter, skipped_lines, text = _sniff_delimiter(text)
        table = _read_csv(text, delimiter, skipped_lines, filename)
    if not table:
        raise CrmFileError(f"{filename}: no header row: the file has no text")
    (_, header), records = table[0], table[1:]
    return header_row(header, filename), records, encoding, delimiter


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
    # The csv module's field limit is MAX_CELL_CHARACTERS, its default (a process-wide setting).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: Records = []
    line = skipped_lines + 1
    try:
        for cells in reader:
            if cells and (cells[0].strip() or "".join(cells).strip()):
                table.append((line, cells))
                if len(table) > limits.MAX_ROWS + 1:
                    raise CrmFileError(f"{filename}: more than {limits.MAX_ROWS:,} data rows; split the file")
            line = skipped_lines + reader.line_num + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise CrmFileError(
                f"{filename}: line {line}: a value longer than {limits.MAX_CELL_CHARACTERS:,} characters "
                "(a quote that is never closed?)"
            ) from error
        raise CrmFileError(f"{filename}: line {line}: {error}") from error
    return table
