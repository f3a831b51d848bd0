"""The types of Party and state documents, as data: code, name as printed, whether a type line is printed.

A công văn prints no type line (its trích yếu is the "V/v …" under the number); every other type
prints its name in capitals above the trích yếu. Party numbers put the code before the issuer
(`Số 12-KH/TU`), state numbers after the number (`Số: 15/QĐ-UBND`); a state công văn has no
code in its symbol (`Số: 123/UBND-VX`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PARTY = "party"
STATE = "state"
_BOTH = frozenset({PARTY, STATE})


@dataclass(frozen=True)
class DocType:
    code: str
    name: str  # upper case, as printed on the type line; "" when none is printed
    has_type_line: bool = True
    systems: frozenset[str] = _BOTH  # who issues it: Party bodies (399-QĐ/TW), state bodies (NĐ 30)


CONG_VAN = DocType("CV", "", has_type_line=False)

TYPES: tuple[DocType, ...] = (
    DocType("KH", "KẾ HOẠCH"),
    DocType("QĐ", "QUYẾT ĐỊNH"),
    CONG_VAN,
    DocType("TB", "THÔNG BÁO"),
    DocType("BC", "BÁO CÁO"),
    DocType("TTr", "TỜ TRÌNH"),
    DocType("CT", "CHỈ THỊ"),
    DocType("KL", "KẾT LUẬN", systems=frozenset({PARTY})),
    DocType("TT", "THÔNG TRI", systems=frozenset({PARTY})),
    DocType("HD", "HƯỚNG DẪN"),
    DocType("NQ", "NGHỊ QUYẾT"),
    DocType("CTr", "CHƯƠNG TRÌNH"),
    DocType("QC", "QUY CHẾ"),
    DocType("QyĐ", "QUY ĐỊNH"),
    DocType("ĐA", "ĐỀ ÁN"),
    DocType("PA", "PHƯƠNG ÁN"),
    DocType("BB", "BIÊN BẢN"),
    DocType("GM", "GIẤY MỜI"),
    DocType("TC", "THÔNG CÁO"),
    DocType("QH", "QUY HOẠCH"),
    # State legal and administrative types (NĐ 30/2020; Thông tư shares "TT" with Thông tri).
    DocType("NĐ", "NGHỊ ĐỊNH", systems=frozenset({STATE})),
    DocType("TT", "THÔNG TƯ", systems=frozenset({STATE})),
    DocType("CĐ", "CÔNG ĐIỆN", systems=frozenset({STATE})),
    DocType("ĐC", "ĐÍNH CHÍNH", systems=frozenset({STATE})),
)

# Codes printed in symbols for a type whose own code differs (HD36 wrote Quy định "QĐi").
_SYMBOL_ALIASES = {"QĐi": "QyĐ", "QyD": "QyĐ"}

_BODY_NAME_GOES_ON_RE = re.compile(r"\s+(?:VÀ|&|[-–])\s")
_BY_CODE = {t.code: t for t in reversed(TYPES)}  # the first of a shared code wins
_NAMED = sorted((t for t in TYPES if t.has_type_line), key=lambda t: -len(t.name))
_NAME_RE = re.compile("|".join(re.escape(t.name) for t in _NAMED))


def by_code(code: str) -> DocType | None:
    return _BY_CODE.get(_SYMBOL_ALIASES.get(code, code))


def type_at_start(text: str) -> tuple[DocType, str] | None:
    """The type whose printed name starts `text` as a whole word, and the text after it
    ("QUYẾT ĐỊNHVề việc …" → Quyết định, "Về việc …"); None when `text` starts otherwise."""
    match = _NAME_RE.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    if rest[:1].isalpha() and rest[:1].isupper() and rest[1:2].isupper():
        return None  # a longer capitalised word ("BÁO CÁOVIÊN" is not a type line)
    if _BODY_NAME_GOES_ON_RE.match(rest):
        return None  # a body's name: "SỞ" / "KẾ HOẠCH VÀ ĐẦU TƯ", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"
    return _by_name(match.group()), rest.strip()


def type_of_cell(text: str) -> DocType | None:
    """The type whose name is the whole of `text` once spaces and diacritics are set aside: an
    OCR'd "K ÉT LUẬN" is Kết luận."""
    folded = _fold(text)
    return next((t for t in _NAMED if _fold(t.name) == folded), None)


def starts_type_name(text: str) -> bool:
    """`text` is the first part of a type's name cut by a line break ("HƯỚNG" of "HƯỚNG DẪN")."""
    folded = _fold(text)
    return bool(folded) and any(_fold(t.name).startswith(folded) for t in _NAMED)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c))


def type_in_symbol(symbol: str) -> DocType | None:
    """The type coded in a symbol: "KH/ĐUK" (Party), "QĐ-UBND", "2024/QĐ-UBND" (state).
    A symbol whose first code names no type is a state công văn's ("UBND-VX")."""
    for part in re.split(r"[-/]", symbol):
        if part.isdigit():
            continue  # the year of a legal document's number
        return by_code(part) or CONG_VAN
    return None


def _by_name(name: str) -> DocType:
    return next(t for t in TYPES if t.name == name)
