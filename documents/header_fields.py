"""The header of a document: issuing body, number and symbol, place and date (ô 1–4).

The header runs from the first line to the type line (or, for a công văn, to its "V/v").
Number and date are found in a whole line, wherever the columns put them; what is left of each
line is cut into cells, and the capitalised cells above the number name the issuing body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from documents.doc_types import DocType, type_in_symbol
from documents.text_cells import Line, cells, is_motto, is_upper, squeeze

# "Số 38 -KH/ĐUK", "Số: 12/2024/QĐ-UBND", "Số     -KH/ĐU", "Số: 123/UBND-VX"
_CODE = r"[^\W\d_][\w&.]*"
NUMBER_RE = re.compile(
    rf"\bSố\s*:?\s*(?P<number>\d+)?\s*(?:[-/]\s*(?P<year>\d{{4}})\s*)?[-/]\s*"
    rf"(?P<symbol>{_CODE}(?:\s*[-/]\s*{_CODE})*)"
)
_BLANK = r"[\s.…_]*"
DATE_RE = re.compile(
    rf"ngày{_BLANK}(?P<day>\d{{1,2}})?{_BLANK}tháng{_BLANK}(?P<month>\d{{1,2}})?{_BLANK}"
    rf"năm{_BLANK}(?P<year>\d{{4}})?",
    re.IGNORECASE,
)
_DATE_START_RE = re.compile(r"(?:^|,\s*)ngày\b", re.IGNORECASE)
# The words that start the second line of one body's name ("ỦY BAN NHÂN DÂN" / "TỈNH LÂM ĐỒNG").
_PLACE_WORDS = ("TỈNH", "THÀNH PHỐ", "HUYỆN", "QUẬN", "THỊ XÃ", "THỊ TRẤN", "XÃ", "PHƯỜNG", "TP.", "TX.")
_JOINING_WORDS = ("VÀ", "CỦA", "VỀ", "THUỘC", "&")


@dataclass(frozen=True)
class Header:
    superior_body: str | None = None
    issuer: str | None = None
    number: int | None = None
    symbol: str | None = None
    number_text: str | None = None
    place: str | None = None
    date: str | None = None
    type_code: str | None = None
    type_name: str | None = None


@dataclass(frozen=True)
class NumberLine:
    number: int | None
    symbol: str  # without the year of a legal document's number: "QĐ-UBND"
    matched: str  # as printed
    doc_type: DocType | None


def read_number(text: str) -> NumberLine | None:
    match = NUMBER_RE.search(text)
    if match is None:
        return None
    symbol = re.sub(r"\s+", "", match.group("symbol"))
    number = match.group("number")
    return NumberLine(
        number=int(number) if number else None,
        symbol=symbol,
        matched=match.group(),
        doc_type=type_in_symbol(symbol),
    )


@dataclass(frozen=True)
class DateLine:
    place: str | None
    iso: str | None  # None when the day, the month or the year is blank
    start: int  # where the place (or "ngày") starts: the text before it belongs to other cells


def read_date(text: str) -> DateLine | None:
    """The place and date of "Hàm Liêm, ngày 05 tháng 3 năm 2025"; None when `text` holds none."""
    match = DATE_RE.search(text)
    if match is None or not _DATE_START_RE.search(text[: match.start() + 4]):
        return None
    before = text[: match.start()]
    place = _place(before)
    start = before.rfind(place) if place else match.start()
    return DateLine(place, _iso(match.group("year"), match.group("month"), match.group("day")), start)


def _iso(year: str | None, month: str | None, day: str | None) -> str | None:
    if not (year and month and day):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _place(before: str) -> str | None:
    """The place printed before ", ngày": the last cell, without capitalised words of the issuer
    glued to it ("ĐẢNG ỦY XÃ HÀM LIÊM Hàm Liêm" → "Hàm Liêm"; "TP. Hồ Chí Minh" stays whole)."""
    found = cells(before.rstrip().rstrip(","))
    if not found:
        return None
    words = found[-1].split()
    while len(words) > 1 and _issuer_word(words[0]) and not all(is_upper(w) for w in words):
        words = words[1:]
    return " ".join(words).strip(" ,*") or None


def _issuer_word(word: str) -> bool:
    return is_upper(word) and not word.endswith(".")


def read_header(lines: Sequence[Line], doc_type: DocType | None) -> tuple[Header, list[str]]:
    """The header in `lines` (those above the type line) and notes on the text it could not place."""
    number: NumberLine | None = None
    dated: DateLine | None = None
    names: list[str] = []
    notes: list[str] = []
    pending = ""  # a date line cut after "ngày" or "tháng" continues on the next line
    for line in lines:
        rest = line.text
        if number is None and (number := read_number(rest)) is not None:
            rest = rest.replace(number.matched, "   ", 1)
        if dated is None:
            text = f"{pending} {rest}".strip()
            if (dated := read_date(text)) is not None:
                rest, pending = text[: dated.start], ""
            elif _DATE_START_RE.search(rest):
                pending = text
                continue
        for cell in cells(rest):
            if is_motto(cell):
                continue
            if number is None and dated is None and is_upper(cell):
                names.append(cell)
            else:
                notes.append(f"line {line.number}: header text '{cell}' not placed")
    superior, issuer = _bodies(names)
    chosen = doc_type or (number.doc_type if number else None)
    return (
        Header(
            superior_body=superior,
            issuer=issuer,
            number=number.number if number else None,
            symbol=number.symbol if number else None,
            number_text=squeeze(number.matched) if number else None,
            place=dated.place if dated else None,
            date=dated.iso if dated else None,
            type_code=chosen.code if chosen else None,
            type_name=chosen.name if chosen else None,
        ),
        notes,
    )


def _bodies(names: list[str]) -> tuple[str | None, str | None]:
    """(superior body, issuer) from the capitalised lines above the number: a line that only
    continues the name above it ("TỈNH LÂM ĐỒNG" under "ỦY BAN NHÂN DÂN") is joined to it."""
    groups: list[str] = []
    for name in names:
        if groups and _continues(groups[-1], name):
            groups[-1] = f"{groups[-1]} {name}"
        else:
            groups.append(name)
    if not groups:
        return None, None
    if len(groups) == 1:
        return None, groups[0]
    return " ".join(groups[:-1]), groups[-1]


def _continues(above: str, name: str) -> bool:
    if above.endswith(_JOINING_WORDS) or name.startswith(_JOINING_WORDS):
        return True
    return name.startswith(_PLACE_WORDS) and not any(f" {w} " in f" {above} " for w in _PLACE_WORDS)
