"""The header of a document: issuing body, number and symbol, place and date (ô 1–4).

The header runs from the first line to the type line (or, for a công văn, to its body).
Mottos, number and date are found in the header's text as a whole, wherever the columns and
wraps put them; what is left of each line is cut into cells, and the capitalised cells above
the number or the date name the issuing body and the body above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from documents.body_names import is_place_line, join_wrapped, split_flattened
from documents.doc_types import TYPES, DocType, type_in_symbol
from documents.text_cells import MOTTO_RE, Line, cells, is_upper, squeeze
from models.notes import Note

# "Số 38 -KH/ĐUK", "Số: 12/2024/QĐ-UBND", "Số     -KH/ĐU", "Số: 123/UBND-VX", "Nghị quyết số: 11-NQ/TW"
_CODE = r"[^\W\d_][\w&.]*"
_TYPE_NAMES = "|".join(t.name.capitalize() for t in TYPES if t.has_type_line)
NUMBER_RE = re.compile(
    rf"(?:\bS[ốỐ]|(?m:^)[ \t]*(?:{_TYPE_NAMES})\s+số)\s*:?\s*(?P<number>\d+)?\s*"
    rf"(?:[-/]\s*(?P<year>\d{{4}})\s*)?[-/]\s*(?P<symbol>[-/]?{_CODE}(?:[ \t]*[-/][ \t]*{_CODE})*)"
)
_BLANK = r"[\s.…_]*"
# "ngày 05 tháng 3 năm 2025", "ngày   tháng 3 năm 2025" (blank), or as some copies print it
# "ngày 05/3/2025".
DATE_RE = re.compile(
    rf"ngày(?:{_BLANK}(?P<day>\d{{1,2}})?{_BLANK}tháng{_BLANK}(?P<month>\d{{1,2}})?{_BLANK}"
    rf"năm{_BLANK}(?P<year>\d{{4}})?|\s*(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}}))",
    re.IGNORECASE,
)
# Secrecy, urgency, circulation and draft marks (ô 10, 11) printed above or beside the header.
_MARK_RE = re.compile(
    r"DỰ THẢO(?: LẦN \d+)?|(?:TỐI |TUYỆT )?MẬT|(?:THƯỢNG )?KHẨN|HỎA TỐC|HOẢ TỐC|"
    r"XONG HỘI NGHỊ TRẢ LẠI|LƯU HÀNH NỘI BỘ|BẢN SAO"
)
_WORDS_RE = re.compile(r"\S+|\s+")
_GAP_RE = re.compile(r"\t| {3,}")


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
    urgency: str | None = None  # "HỎA TỐC", "THƯỢNG KHẨN", "KHẨN" printed in the header
    secrecy: str | None = None  # "MẬT", "TỐI MẬT", "TUYỆT MẬT"


def read_header(lines: Sequence[Line], doc_type: DocType | None) -> tuple[Header, list[Note]]:
    """The header in `lines` (those above the type line) and notes on the text it could not place.

    `doc_type` is the type line's; without one the symbol's code names the type. The lines are
    read as one text, so a motto, a number or a date wrapped onto the next line is still found;
    each is blanked out once read, and the capitalised cells above them name the issuing body."""
    printed = "\n".join(line.text for line in lines)
    text = _blank(printed, *(m.span() for m in MOTTO_RE.finditer(printed)))
    number = NUMBER_RE.search(text)
    if number:
        text = _blank(text, number.span())
    dated = _date(text)
    place = _place(text[: dated.start()]) if dated else None
    starts = [number.start()] if number else []
    if dated:
        starts.append(place[0] if place else dated.start())
        text = _blank(text, (starts[-1], dated.end()))
    # The issuing body is printed above the number and the date: in the text before the first.
    names, notes = _names(lines, text, min(starts, default=len(text)))
    groups = join_wrapped(names)
    symbol = _symbol(number) if number else None
    coded = type_in_symbol(symbol) if symbol else None
    chosen = doc_type or coded
    header = Header(
        urgency=_mark(lines, _URGENCY),
        secrecy=_mark(lines, _SECRECY),
        superior_body=" ".join(groups[:-1]) or None,
        issuer=groups[-1] if groups else None,
        number=int(number.group("number")) if number and number.group("number") else None,
        symbol=symbol,
        number_text=squeeze(number.group()) if number else None,
        place=squeeze(printed[place[0] : place[1]]) if place else None,
        date=_iso(dated) if dated else None,
        type_code=chosen.code if chosen else None,
        # a type line printed (or none to print, for a công văn); None when the text lacks it
        type_name=chosen.name if chosen and (doc_type or not chosen.has_type_line) else None,
    )
    return header, notes


# The marks of ô 10a/10b, each alone in a cell of the header.
_URGENCY = ("HỎA TỐC", "THƯỢNG KHẨN", "KHẨN")
_SECRECY = ("TUYỆT MẬT", "TỐI MẬT", "MẬT")


def _mark(lines: Sequence[Line], marks: Sequence[str]) -> str | None:
    for line in lines:
        for cell in cells(line.text):
            found = squeeze(cell).replace("HOẢ", "HỎA")
            if found in marks:
                return found
    return None


def _names(lines: Sequence[Line], text: str, cut: int) -> tuple[list[str], list[Note]]:
    """The capitalised names in `text` before `cut`, and notes on every other cell left."""
    names: list[str] = []
    notes: list[Note] = []
    above_cut, below_cut = _blank(text, (cut, len(text))), _blank(text, (0, cut))
    for line, above, below in zip(lines, above_cut.split("\n"), below_cut.split("\n"), strict=False):
        for cell in cells(above):
            if _MARK_RE.fullmatch(cell):
                notes.append(Note(f"line {line.number}", "fields.mark_not_field", text=cell))
            elif is_upper(cell):
                names += split_flattened(cell)
            elif names and is_place_line(cell):
                names.append(cell)
            else:
                notes.append(Note(f"line {line.number}", "fields.header_not_placed", text=cell))
        notes += [Note(f"line {line.number}", "fields.header_not_placed", text=cell) for cell in cells(below)]
    return names, notes


def number_type(text: str) -> DocType | None:
    """The type coded in the symbol of the number in `text`, if any."""
    number = NUMBER_RE.search(text)
    return type_in_symbol(_symbol(number)) if number else None


def _symbol(number: re.Match[str]) -> str:
    """The symbol as printed, its spaces left out ("TTr - UBND" → "TTr-UBND")."""
    return re.sub(r"\s+", "", number.group("symbol"))


def _blank(text: str, *spans: tuple[int, int]) -> str:
    """`text` with each span replaced by spaces (a column gap), its line breaks kept."""
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _date(text: str) -> re.Match[str] | None:
    """The first "ngày … tháng … năm …" that starts a cell or follows a place (and its comma):
    not one quoted inside a sentence."""
    for match in DATE_RE.finditer(text):
        before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        words = before.rstrip(" ,").split()
        cell_start = not words or bool(_GAP_RE.search(before[-3:]))
        if cell_start or before.rstrip().endswith(",") or _place_word(words[-1]):
            return match
    return None


def _place(before: str) -> tuple[int, int] | None:
    """Where the place printed before ", ngày" is in `before`: the capitalised words right before
    the comma, across a line break, without capitals of the issuer glued on ("ĐẢNG ỦY XÃ HÀM
    LIÊM Hàm Liêm" → "Hàm Liêm")."""
    end = len(before.rstrip().rstrip(",").rstrip())
    start = end
    for token in reversed(_WORDS_RE.findall(before[:end])):
        if _GAP_RE.search(token) if token.isspace() else not _place_word(token):
            break
        start -= len(token)
    start += len(before[start:end]) - len(before[start:end].lstrip())
    return (start, end) if start < end else None


def _place_word(word: str) -> bool:
    """ "Hàm", "Nội", "TP." — not "LIÊM" (a capitalised issuer glued on) nor "|" or "*"."""
    return word[:1].isupper() and (not is_upper(word) or word.endswith(".") or len(word) == 1)


def _iso(match: re.Match[str]) -> str | None:
    """ISO date, or None when the day, the month or the year is blank."""
    year, month, day = (
        match.group(a) or match.group(b) for a, b in (("year", "y"), ("month", "m"), ("day", "d"))
    )
    if not (year and month and day):
        return None
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None
