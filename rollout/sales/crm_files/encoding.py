"""A CSV's bytes as text, in the encoding they are in, or a refusal naming the line that is not.

CRM exports are UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), or, from an
older Excel, Windows-1252. Nothing marks Windows-1252, and Shift-JIS or GBK bytes decode as
Windows-1252 too, into mojibake. So a file is read as Windows-1252 only when it reads like Western
text: each character beyond ASCII is a letter or a common sign, and two or three in a row only inside
a word ("Größe"). A file that is UTF-8 but for a few bytes is refused at the first of them, and so is
one that is neither.
"""

from __future__ import annotations

import re

from rollout.sales.crm_files.model import CrmFileError

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
ADVICE = "save the file as CSV UTF-8"

# A well-formed UTF-8 sequence beyond ASCII: Windows-1252 text hardly ever has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# What Western text written in Windows-1252 holds beyond ASCII: Latin letters and common signs (not
# ƒ ˆ ‰ ‹ › † ‡ ˜, which Shift-JIS lead bytes often become).
_WESTERN = (
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸ"
    "€£¥¢©®°±«»–—‘’‚“”„•…™§¶·¿¡²³¹µºª½¼¾×÷¤¦¨¯´¸¬\u00a0\u00ad"
)
_NOT_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_ODD_BYTE = re.compile("[\udc80-\udcff]")


def decode(content: bytes, filename: str) -> tuple[str, str]:
    """(text, encoding): "utf-8", "utf-8-sig", "utf-16" or "cp1252"; CrmFileError names the line."""
    if content.startswith(UTF8_BOM):
        return _strict(content, len(UTF8_BOM), "utf-8", filename, "starts with a UTF-8 mark"), "utf-8-sig"
    for bom, codec in UTF16_BOMS.items():
        if content.startswith(bom):
            return _strict(content, len(bom), codec, filename, "starts with a UTF-16 mark"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        odd = error.start
    if _mostly_utf8(content):
        raise _mixed(content, odd, filename)
    text = _western(content, filename)
    if _UTF8_SEQUENCE.search(content):  # UTF-8 characters, among Windows-1252 ones: "Ã©" for "é"
        raise _mixed(content, odd, filename)
    return text, "cp1252"


def _mostly_utf8(content: bytes) -> bool:
    """As many characters beyond ASCII are well-formed UTF-8 as not: a UTF-8 file with a few odd bytes
    (Shift-JIS or GBK bytes form a UTF-8 character only now and then)."""
    text = content.decode("utf-8", "surrogateescape")  # each odd byte becomes one lone surrogate
    odd = len(_ODD_BYTE.findall(text))
    return len(_NOT_ASCII.findall(text)) - odd >= odd


def _mixed(content: bytes, odd: int, filename: str) -> CrmFileError:
    return CrmFileError(
        f"{filename}: line {_line(content, odd)}: byte 0x{content[odd]:02X} is not UTF-8, but the "
        f"rest of the file is (one value pasted from another file?); {ADVICE}"
    )


def _strict(content: bytes, start: int, codec: str, filename: str, mark: str) -> str:
    try:
        return content[start:].decode(codec)
    except UnicodeDecodeError as error:
        offset = start + error.start
        line = content[start:offset].decode(codec).count("\n") + 1
        raise CrmFileError(
            f"{filename}: {mark}, but line {line} holds byte 0x{content[offset]:02X}, which is not "
            f"{codec[:6].upper()}; {ADVICE}"
        ) from error


def _western(content: bytes, filename: str) -> str:
    """The text as Windows-1252, when it reads like Western text."""
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as error:
        odd = error.start
        raise CrmFileError(
            f"{filename}: line {_line(content, odd)}: byte 0x{content[odd]:02X} is neither UTF-8 nor "
            f"Windows-1252 text; {ADVICE}"
        ) from error
    for run in _NOT_ASCII_RUN.finditer(text):
        if not _western_run(text, run.start(), run.end()):
            raise CrmFileError(
                f"{filename}: line {_line(content, run.start())} is not UTF-8, and read as Windows-1252 "
                f"it would be '{_around(text, run.start(), run.end())}': the file is in another "
                f"encoding (Shift-JIS, GBK…?); {ADVICE}"
            )
    return text


def _western_run(text: str, start: int, end: int) -> bool:
    if any(char not in _WESTERN for char in text[start:end]):
        return False
    if end - start == 1:
        return True
    in_a_word = (start > 0 and text[start - 1].isalpha()) or (end < len(text) and text[end].isalpha())
    return end - start <= 3 and in_a_word


def _line(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _around(text: str, start: int, end: int) -> str:
    """The odd characters with a few either side, on one line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].rstrip("\r")
    left = max(0, start - line_start - 10)
    return line[left : end - line_start + 10]
