"""An XLSX workbook's first sheet as a table of text, its size bounded before openpyxl reads it."""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
import zlib
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from xml.etree import ElementTree

from rollout.sales.crm_files import limits
from rollout.sales.crm_files.model import CrmFileError, Records


def read_xlsx(content: bytes, filename: str) -> Records:
    """The first sheet's rows as text; sheet row numbers stand in for lines."""
    import openpyxl  # slow to import, and most uploads are CSV

    _check_width(content, filename)
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
            if any(len(cell) > limits.MAX_CELL_CHARACTERS for cell in cells):
                raise CrmFileError(_too_long(filename, number, cells))
            if "".join(cells).strip():
                table.append((number, cells))
                if len(table) > limits.MAX_ROWS + 1:
                    raise CrmFileError(f"{filename}: more than {limits.MAX_ROWS:,} data rows; split the file")
        return table
    except CrmFileError:
        raise
    except Exception as error:
        raise CrmFileError(f"{filename}: the first sheet cannot be read ({type(error).__name__})") from error
    finally:
        book.close()


def _check_width(content: bytes, filename: str) -> None:
    """Refuses a first sheet wider than MAX_COLUMNS before openpyxl opens it: openpyxl reads each row
    as wide as its last cell (one cell at column XFD in every row costs 16,384 cells a row), and scans
    the whole sheet on opening when it declares no dimension."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for part in _sheet_parts(archive):
                with archive.open(part) as source:
                    _check_dimension(source.read(4096), filename)  # <dimension> comes first, if at all
                with archive.open(part) as source:
                    widest, row = _widest_row(source)
                if widest > limits.MAX_COLUMNS:
                    raise CrmFileError(_too_wide(filename, widest, row))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as error:
        raise CrmFileError(f"{filename}: not a readable XLSX workbook ({type(error).__name__})") from error


def _sheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The first sheet's part name, found as openpyxl finds it; every worksheet part when that fails."""
    try:
        (workbook,) = _targets(archive, "_rels/.rels", "/officeDocument")
        folder, name = posixpath.split(workbook)
        sheet_ids = _targets(archive, posixpath.join(folder, "_rels", name + ".rels"), "/worksheet", ids=True)
        root = ElementTree.fromstring(archive.read(workbook))
        first = next(
            sheet_ids[value]
            for element in root.iter()
            if element.tag.endswith("}sheet")
            for key, value in element.attrib.items()
            if key.endswith("}id") and value in sheet_ids
        )
        return [first]
    except (KeyError, ValueError, StopIteration, ElementTree.ParseError):
        return [
            name for name in archive.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")
        ]


def _targets(archive: zipfile.ZipFile, rels: str, kind: str, ids: bool = False) -> Any:
    """The part names a relationships part points to with a relationship of `kind`."""
    folder = posixpath.dirname(posixpath.dirname(rels))
    found = {}
    for element in ElementTree.fromstring(archive.read(rels)):
        if element.get("Type", "").endswith(kind):
            target = element.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id")] = posixpath.normpath(part)
    return found if ids else list(found.values())


def _too_long(filename: str, row: int, cells: list[str]) -> str:
    column = next(n for n, cell in enumerate(cells, 1) if len(cell) > limits.MAX_CELL_CHARACTERS)
    return (
        f"{filename}: row {row}, column {column}: a value of {len(cells[column - 1]):,} characters; "
        f"at most {limits.MAX_CELL_CHARACTERS:,} are read"
    )


_DIMENSION = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref\s*=\s*["'][^"']*?([A-Za-z]+)\d*["']""")


def _check_dimension(head: bytes, filename: str) -> None:
    """The sheet's declared range (e.g. A1:XFD5001), when it has one, refused when too wide."""
    declared = _DIMENSION.search(head)
    if declared and _column_number(declared[1]) > limits.MAX_COLUMNS:
        raise CrmFileError(
            f"{filename}: the sheet declares {_column_number(declared[1]):,} columns; at most "
            f"{limits.MAX_COLUMNS:,} are read: delete the columns beyond"
        )


def _too_wide(filename: str, columns: int, row: int) -> str:
    where = f"row {row} has a value in column {columns:,}"
    return f"{filename}: {where}; at most {limits.MAX_COLUMNS:,} columns are read: delete the columns beyond"


# A row or cell start tag (any namespace prefix) and its attributes; a cell's reference names its column.
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_REFERENCE = re.compile(rb"""\br\s*=\s*["']([A-Za-z]*)(\d*)""")
_CHUNK = 1 << 20


def _widest_row(source: IO[bytes]) -> tuple[int, int]:
    """(the widest row's last column, that row's number), scanning the sheet's XML once in chunks.

    The scan stops at the first row wider than MAX_COLUMNS. A cell without a reference follows the one
    before it, as in openpyxl; so does a row without a number.
    """
    widest = widest_row = row = column = 0
    pending = b""
    while chunk := source.read(_CHUNK):
        text = pending + chunk
        end = text.rfind(b"<")  # a tag holds no "<": every tag before the last one is complete
        if end < 0 or len(text) - end > _CHUNK:  # a long text, not a tag: nothing to carry over
            end = len(text)
        pending, text = text[end:], text[:end]
        for tag in _ROW_OR_CELL.finditer(text):
            reference = _REFERENCE.search(tag[2])
            if tag[1] == b"row":
                row = int(reference[2]) if reference and reference[2] else row + 1
                column = 0
                continue
            column = _column_number(reference[1]) if reference and reference[1] else column + 1
            if column > widest:
                widest, widest_row = column, row
                if widest > limits.MAX_COLUMNS:
                    return widest, widest_row
    return widest, widest_row


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:4]:  # XFD, Excel's last column, has three letters
        number = number * 26 + letter - 64
    return number


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
