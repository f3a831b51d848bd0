"""Files as people give them: encodings, size limits, hostile .docx packages, stray characters
and lines after the signer's name."""

from __future__ import annotations

import codecs
import io
import time
import zipfile

import pytest

from documents.docx_import import parse_docx
from documents.intake import ImportLimits, decode_text, parse_file
from documents.plain_text import parse
from models.errors import Invalid
from tests.documents.seeds import SEED_004 as SEED_004_PATH
from tests.documents.wordbuild import seed_docx

SEED_004 = SEED_004_PATH.read_text(encoding="utf-8")
HEADER = ("ĐẢNG BỘ TỈNH LÂM ĐỒNG", "ĐẢNG ỦY XÃ HÀM LIÊM", "Số -KH/ĐU", "Hàm Liêm, ngày")


def test_utf8_with_or_without_bom_and_utf16_with_bom_read_alike() -> None:
    for data in (
        SEED_004.encode(),
        codecs.BOM_UTF8 + SEED_004.encode(),
        SEED_004.encode("utf-16"),
        codecs.BOM_UTF16_BE + SEED_004.encode("utf-16-be"),
    ):
        assert decode_text(data, "f", 10**6) == SEED_004


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("Kế hoạch\nHà Nội, ngày".encode()[:-1] + b"\n\xe0 l\xe0", "line 3: byte"),
        ("Sài Gòn".encode("latin-1"), "line 1: byte 2 (0xe0) is not UTF-8"),
        (b"abc\n\x00def", "line 2: a NUL byte"),
        ("KẾ HOẠCH".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (b"x" * 101, "larger than 100 bytes"),
    ],
)
def test_other_text_is_refused_naming_the_line(data: bytes, says: str) -> None:
    with pytest.raises(Invalid) as caught:
        decode_text(data, "plan.txt", 100)
    assert caught.value.field == "plan.txt" and says in caught.value.reason, caught.value


def test_lines_after_the_signers_name_are_a_note_not_part_of_the_title() -> None:
    text = SEED_004.rstrip() + "\n\nTrang 3/3\nfile ke-hoach.doc\n"
    last = len(text.rstrip().split("\n"))
    parsed = parse(text)
    assert parsed.draft.signer_name == "Phan Minh Quảng"
    assert parsed.draft.sign_title == "PHÓ BÍ THƯ THƯỜNG TRỰC"
    assert f"line {last - 1}: text 'Trang 3/3' after the signer's name dropped" in parsed.notes
    assert f"line {last}: text 'file ke-hoach.doc' after the signer's name dropped" in parsed.notes


def test_control_and_invisible_characters_are_removed_with_a_note() -> None:
    parsed = parse(SEED_004.replace("Phan Minh Quảng", "Phan \u202eMinh\x07 Quảng"))
    assert parsed.draft.signer_name == "Phan Minh Quảng"
    assert any(
        "U+202E RIGHT-TO-LEFT OVERRIDE" in note and "U+0007" in note and note.startswith("line ")
        for note in parsed.notes
    ), parsed.notes


def test_a_text_plan_has_a_line_limit() -> None:
    with pytest.raises(Invalid, match="lines; a plan has at most 50"):
        parse(SEED_004 + "\n" * 100, ImportLimits(max_paragraphs=50))


def _docx_with(parts: dict[str, bytes], count: int = 0) -> bytes:
    out = io.BytesIO()
    source = io.BytesIO(seed_docx(SEED_004, header=HEADER))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, parts.pop(info.filename, src.read(info.filename)))
        for name, data in parts.items():
            dst.writestr(name, data)
        for i in range(count):
            dst.writestr(f"customXml/extra{i}.xml", b"<x/>")
    return out.getvalue()


W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ENTITIES = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (lambda: _docx_with({}, count=30), "parts in the .docx; at most 20 are read"),
        (
            lambda: _docx_with({"word/media/big.png": b"\0" * 3_000_000}),
            "MB; at most 2 MB",
        ),
        (
            lambda: _docx_with({"word/big.xml": b"<x>" + b" " * 1_100_000 + b"</x>"}),
            "part word/big.xml is 1 MB",
        ),
        (
            lambda: _docx_with(
                {
                    "word/document.xml": b"<w:document "
                    + W
                    + b"><w:body>"
                    + b"<w:p/>" * 600
                    + b"</w:body></w:document>"
                }
            ),
            "paragraphs; a plan has at most 500",
        ),
        (
            lambda: _docx_with({"word/document.xml": ENTITIES + b"<w:document " + W + b"/>"}),
            "declares a DTD or entities",
        ),
        (lambda: _docx_with({"word/document.xml": b"<w:document " + W + b"><w:body><w:p>"}), "malformed XML"),
    ],
    ids=["entries", "unzipped", "xml part", "paragraphs", "entities", "malformed"],
)
def test_a_hostile_docx_is_refused_before_it_is_parsed(data: object, says: str) -> None:
    limits = ImportLimits(
        max_unzipped_bytes=2 * 1024 * 1024, max_xml_bytes=1024 * 1024, max_zip_entries=20, max_paragraphs=500
    )
    with pytest.raises(Invalid) as caught:
        parse_docx(data(), limits)  # type: ignore[operator]
    assert caught.value.field == "document" and says in caught.value.reason, caught.value


def test_a_million_and_a_half_paragraphs_are_refused_in_seconds() -> None:
    data = _docx_with(
        {
            "word/document.xml": b"<w:document "
            + W
            + b"><w:body>"
            + b"<w:p/>" * 1_500_000
            + b"</w:body></w:document>"
        }
    )
    assert len(data) < 200_000
    started = time.perf_counter()
    with pytest.raises(Invalid, match=r"150000\d paragraphs; a plan has at most 20000"):
        parse_file(data, "ke-hoach.docx")
    assert time.perf_counter() - started < 5


def test_a_zip_named_as_text_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        parse_file(seed_docx(SEED_004, header=HEADER), "ke-hoach.txt")
    assert caught.value.field == "ke-hoach.txt" and "a zip file" in caught.value.reason
