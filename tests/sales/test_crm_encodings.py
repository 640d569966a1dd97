"""A CSV is read in the encoding it is in, or refused naming the line that is not."""

from __future__ import annotations

import pytest

from rollout.sales.crm_files import CrmFileError, parse_deals

HEADER = "Record ID,Deal Name,Amount,Deal Stage,Pipeline,Create Date,Deal owner\r\n"


def export(*accounts: str) -> str:
    rows = "".join(
        f"{number},{account},100,won,Sales,2026-01-05,ana\r\n" for number, account in enumerate(accounts, 1)
    )
    return HEADER + rows


def refusal(content: bytes) -> str:
    with pytest.raises(CrmFileError) as error:
        parse_deals(content, "deals.csv")
    return str(error.value)


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: text.encode("utf-8-sig"), "utf-8-sig"),
        (lambda text: text.encode("utf-16"), "utf-16"),  # with its BOM, in this machine's byte order
        (lambda text: b"\xfe\xff" + text.encode("utf-16-be"), "utf-16"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16", "utf-16 big-endian"],
)
def test_unicode_files_are_read_in_their_encoding(encoded, encoding):
    parsed = parse_deals(encoded(export("株式会社テスト", "Größe GmbH", "北京销售")), "deals.csv")
    assert parsed.encoding == encoding
    assert [deal.account for deal in parsed.rows] == ["株式会社テスト", "Größe GmbH", "北京销售"]


def test_western_text_in_windows_1252_is_read_as_such():
    parsed = parse_deals(
        export("Größe GmbH", "Société Générale", "São Paulo Ltda", "Ærø à la carte").encode("cp1252"),
        "deals.csv",
    )
    assert parsed.encoding == "cp1252"
    assert [deal.account for deal in parsed.rows] == [
        "Größe GmbH",
        "Société Générale",
        "São Paulo Ltda",
        "Ærø à la carte",
    ]


@pytest.mark.parametrize(
    ("codec", "accounts", "shown"),
    [
        ("shift_jis", ["Acme", "株式会社テスト"], "2,Š”Ž®‰ïŽÐƒeƒXƒg,100,"),
        ("gbk", ["Acme", "北京销售"], "2,±±¾©ÏúÊÛ,100,won,S"),
        ("gbk", ["Acme", "张"], "2,ÕÅ,100,won,S"),
    ],
    ids=["shift-jis", "gbk", "gbk one character"],
)
def test_asian_encodings_are_refused_naming_the_line(codec, accounts, shown):
    assert refusal(export(*accounts).encode(codec)) == (
        f"deals.csv: line 3 is not UTF-8, and read as Windows-1252 it would be '{shown}': the file is in "
        "another encoding (Shift-JIS, GBK…?); save the file as CSV UTF-8"
    )


def test_one_windows_1252_byte_in_a_utf_8_file_is_refused_naming_its_line():
    content = export("Größe GmbH", "Acme", "Zoë").encode("utf-8").replace("Zoë".encode(), b"Zo\xeb")
    assert refusal(content) == (
        "deals.csv: line 4: byte 0xEB is not UTF-8, but the rest of the file is (one value pasted from "
        "another file?); save the file as CSV UTF-8"
    )


def test_a_broken_utf_16_file_names_the_line():
    content = export("Acme", "Zeta").encode("utf-16-le")
    content = b"\xff\xfe" + content[: content.index("Zeta".encode("utf-16-le"))] + b"\x00\xdc" + b"x\x00"
    message = refusal(content)
    assert message.startswith("deals.csv: starts with a UTF-16 mark, but line 3 holds byte 0x")
    assert message.endswith("which is not UTF-16; save the file as CSV UTF-8")


def test_utf_8_characters_outnumbered_by_odd_bytes_are_still_no_windows_1252_file():
    content = export("Café", "Zoë", "Noël").encode("utf-8")
    content = content.replace("Zoë".encode(), b"Zo\xeb").replace("Noël".encode(), b"No\xebl")
    assert refusal(content).startswith(
        "deals.csv: line 3: byte 0xEB is not UTF-8, but the rest of the file is"
    )
