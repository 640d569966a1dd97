"""Files people upload (or pass to the CLI), checked on the server before anything reads them.

Streamlit's `server.maxUploadSize` and a file uploader's `type=` are enforced by the browser and the
upload endpoint, but a file's name says nothing about its content, and the CLI has neither check. So
every import entry point calls `check_upload`: the size, then the content — a CSV must be text, an
XLSX must be a zip holding an Office Open XML spreadsheet — whatever the file is called.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from rollout.platform.errors import RolloutError

# The same limit as `server.maxUploadSize` (megabytes) in .streamlit/config.toml.
MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A workbook is compressed; more than this unpacked is a zip bomb, not a CRM export.
MAX_XLSX_UNPACKED_BYTES = 8 * MAX_UPLOAD_BYTES
# Spreadsheet XML packs about 5 to 20 times; a large part packed far tighter is padding, not data.
MAX_XLSX_COMPRESSION_RATIO = 100
MIN_RATIO_CHECKED_BYTES = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc) files
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_LE_BOM = b"\xff\xfe\x00\x00"
# [Content_Types].xml of a workbook names its main part with one of these (.xlsx, .xlsm).
WORKBOOK_CONTENT_TYPES = (b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")


class UploadRefused(RolloutError):
    """The file as a whole is refused (too large, or not the kind the import reads): nothing was read."""


def check_upload(
    content: bytes,
    filename: str,
    *,
    kinds: tuple[str, ...] = ("csv",),
    max_bytes: int = MAX_UPLOAD_BYTES,
    utf16: bool = False,
) -> str:
    """The kind of the file ("csv" or "xlsx", among `kinds`), judged by its content; UploadRefused
    names the file and what is wrong. `utf16`: the caller reads UTF-16 text that starts with a BOM."""
    if not content:
        raise UploadRefused(f"{filename}: the file is empty")
    if len(content) > max_bytes:
        raise UploadRefused(
            f"{filename}: the file is {len(content):,} bytes; at most {max_bytes:,} are accepted"
        )
    if content.startswith(OLE_MAGIC):
        raise UploadRefused(
            f"{filename}: an old Excel (.xls) workbook; save it as {_kinds_named(kinds)} and upload that"
        )
    named_xlsx = filename.lower().endswith((".xlsx", ".xlsm"))
    if "xlsx" in kinds and (content.startswith(ZIP_MAGIC) or named_xlsx):
        _check_workbook(content, filename)
        return "xlsx"
    _check_text(content, filename, kinds, utf16)
    return "csv"


def _kinds_named(kinds: tuple[str, ...]) -> str:
    return " or ".join(kind.upper() for kind in kinds)


def _check_text(content: bytes, filename: str, kinds: tuple[str, ...], utf16: bool) -> None:
    """A CSV is text: a NUL byte (images, executables, PDFs, UTF-16 without its mark) or a zip is a
    binary file."""
    if content.startswith(UTF16_BOMS):
        if utf16 and not content.startswith(UTF32_LE_BOM):
            return
        raise UploadRefused(f"{filename}: UTF-16 text is not supported; save the file as CSV UTF-8")
    if content.startswith(ZIP_MAGIC):
        raise UploadRefused(f"{filename}: a zip archive, not a {_kinds_named(kinds)} file; unzip it first")
    nul = content.find(b"\x00")
    if nul >= 0:
        raise UploadRefused(
            f"{filename}: byte {nul} is a NUL: this is a binary file, not a {_kinds_named(kinds)} file"
        )


# What a damaged zip raises while its directory or a member is read.
_BROKEN_ZIP = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError)


def _check_workbook(content: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            bomb = unpacked > MAX_XLSX_UNPACKED_BYTES
            padded = next(filter(_packed_too_tight, members), None)
            content_types = b"" if bomb or padded else _member(archive, "[Content_Types].xml")
    except _BROKEN_ZIP as error:
        raise UploadRefused(
            f"{filename}: neither a CSV nor an XLSX file (a damaged or foreign zip)"
        ) from error
    if bomb:
        raise UploadRefused(f"{filename}: the workbook unpacks to {unpacked:,} bytes; too large to read")
    if padded:
        ratio = padded.file_size // max(padded.compress_size, 1)
        raise UploadRefused(
            f"{filename}: its part {padded.filename} unpacks to {padded.file_size:,} bytes, {ratio:,} times "
            f"its packed size (at most {MAX_XLSX_COMPRESSION_RATIO} is read): a zip bomb, not a spreadsheet"
        )
    if not any(kind in content_types for kind in WORKBOOK_CONTENT_TYPES):
        raise UploadRefused(
            f"{filename}: not a readable XLSX workbook (a zip without a spreadsheet in it: "
            "a Word or PowerPoint file, or a plain archive?)"
        )


def _packed_too_tight(member: zipfile.ZipInfo) -> bool:
    """Sizes come from the zip's directory; zipfile stops unpacking a member at its stated size."""
    return member.file_size > MIN_RATIO_CHECKED_BYTES and member.file_size > MAX_XLSX_COMPRESSION_RATIO * max(
        member.compress_size, 1
    )


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        return b""
