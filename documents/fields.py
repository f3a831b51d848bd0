"""The fields a person reads off any Party or state document: header, trích yếu, signature, Nơi nhận.

`read_fields` takes the text as copied (web page, PDF text layer, Word text), with its header
columns flattened and its page furniture, and returns what it found; anything it could not
place is in `notes`, with its line number. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from documents.closing_fields import Signature, read_closing
from documents.doc_types import (
    CONG_VAN,
    DocType,
    starts_type_name,
    type_at_start,
    type_in_symbol,
    type_of_cell,
)
from documents.header_fields import DATE_RE, NUMBER_RE, Header, read_header
from documents.text_cells import SEPARATOR_RE, Line, cells, is_motto, is_upper, lines_of, squeeze

# Where the header and trích yếu end and the body begins.
_BODY_START_RE = re.compile(
    r"^(?:[-–]\s*)?(Kính\s+gửi|Kính\s+trình|Căn\s+cứ|Xét\s|Theo\s+đề\s+nghị)", re.IGNORECASE
)
# A công văn's trích yếu: "V/v …" or, in some, "Về việc …" under the number.
_SUBJECT_RE = re.compile(r"^(?:V/v\b|Về\s+việc\b)\s*:?\s*", re.IGNORECASE)
_YEAR_END_RE = re.compile(r"năm\s*\d{4}\s*[.,]?\s*")
_BODY_WORDS = 40  # a line this long is body text, not header
_BLOCK_LINES_MAX = 5  # a trích yếu printed alone between blank lines is at most this long
# Posts that decide a state decision, printed in capitals above its "Căn cứ" lines.
_POSTS = ("CHỦ TỊCH", "BỘ TRƯỞNG", "THỦ TƯỚNG", "GIÁM ĐỐC", "TRƯỞNG", "CHÁNH", "TỔNG", "HIỆU TRƯỞNG")


@dataclass(frozen=True)
class Fields:
    header: Header
    title: str | None
    signature: Signature | None
    recipients: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The shape of the corpus's hand-written `.json` files (without source, kind, complete)."""
        signature = self.signature
        return {
            "header": asdict(self.header),
            "title": self.title,
            "signature": None
            if signature is None
            else {"lines": list(signature.lines), "name": signature.name, "form": signature.form},
            "recipients": list(self.recipients),
        }


@dataclass(frozen=True)
class _TypeLine:
    index: int  # the type name's first line
    end: int  # the line after the type name (the trích yếu's first line)
    doc_type: DocType
    before: str  # header text glued in front of the type name (a date line)
    after: str  # trích yếu glued after it


@dataclass(frozen=True)
class _Subject:
    """A công văn's trích yếu, printed under its number ("V/v …", or without "V/v" in Party ones)."""

    text: str
    indexes: frozenset[int]  # the lines it takes
    first: Line  # its first line, without the trích yếu


def read_fields(text: str) -> Fields:
    lines = lines_of(text)
    zone = _header_zone(lines)
    typed = _type_line(zone)
    head = zone[: typed.index] if typed else zone
    subject = _subject(head, typed is None)
    if subject is not None:
        head = [subject.first if line.index == subject.first.index else line for line in head]
        head = [line for line in head if line.index not in subject.indexes or line is subject.first]
    if typed is not None and typed.before:
        head = [*head, Line(typed.index, typed.before)]
    header, notes = read_header(head, typed.doc_type if typed else None)
    if subject is not None:
        title: str | None = subject.text
        body_start = typed.end if typed else len(zone)
    elif typed is not None:
        title, body_start = _title(lines, typed.end, typed.after, header.issuer or "")
    else:
        title, body_start = None, len(zone)
    signature, recipients, closing_notes = read_closing(lines[body_start:])
    return Fields(header, title, signature, recipients, tuple(notes + closing_notes))


def _header_zone(lines: Sequence[Line]) -> list[Line]:
    """The lines that may still be header: up to the first line of body text (a long line is
    body text, unless it is the whole header flattened onto one line)."""
    zone: list[Line] = []
    for line in lines:
        long = len(line.text.split()) >= _BODY_WORDS and not NUMBER_RE.search(line.text)
        if _BODY_START_RE.match(line.text) or long:
            break
        zone.append(line)
    return zone


def _type_line(zone: Sequence[Line]) -> _TypeLine | None:
    """The first cell that starts with a type's name, holds it glued after a date's year, or
    is its name cut by a line break or spelled by OCR ("HƯỚNG" / "DẪN", "K ÉT LUẬN")."""
    for n, line in enumerate(zone):
        for cell in cells(line.text):
            year = _YEAR_END_RE.search(cell) if DATE_RE.search(cell) else None
            head = cell[: year.end()] if year else ""
            start = line.text.find(cell)
            found = type_at_start(cell[len(head) :])
            if found is not None:
                return _TypeLine(line.index, line.index + 1, found[0], line.text[:start] + head, found[1])
            named = type_of_cell(cell)
            if named is not None and is_upper(cell):
                return _TypeLine(line.index, line.index + 1, named, line.text[:start], "")
            wrapped = _wrapped_type(cell, zone[n + 1 :])
            if wrapped is not None:
                return _TypeLine(line.index, wrapped[1] + 1, wrapped[0], line.text[:start], "")
    return None


def _wrapped_type(cell: str, below: Sequence[Line]) -> tuple[DocType, int] | None:
    following = next((line for line in below if line.text), None)
    if following is None or not is_upper(cell) or not starts_type_name(cell):
        return None
    named = type_of_cell(f"{cell} {following.text}")
    return (named, following.index) if named else None


def _title(lines: Sequence[Line], start: int, glued: str, issuer: str) -> tuple[str | None, int]:
    """The trích yếu under the type line and the index of the line after it.

    A short block of lines up to a blank line, a rule or the body is the whole trích yếu; in a
    longer one (no blank line before the body) it goes on while a line continues the one above:
    in lower case, or in capitals under capitals. A line in capitals right above "Căn cứ" that
    names the issuer or a post is the authority that decides, not the trích yếu."""
    parts = [glued] if glued else []
    i = start
    while not parts and i < len(lines) and not lines[i].text:
        i += 1
    end = i
    while end < len(lines) and not _ends_block(lines[end].text):
        end += 1
    block = [squeeze(line.text) for line in lines[i:end]]
    if len(parts) + len(block) > _BLOCK_LINES_MAX or any(t.endswith((".", ":", ";")) for t in block[:-1]):
        block = _continued(block, parts)
    for text in block:
        if (
            parts
            and is_upper(text)
            and _decides(text, issuer)
            and _BODY_START_RE.match(_next_text(lines, i + 1))
        ):
            break
        parts.append(text)
        i += 1
    while parts and not is_upper(parts[-1]) and _lower_start(_next_text(lines, i)):
        i = next(k for k in range(i, len(lines)) if lines[k].text)
        parts.append(squeeze(lines[i].text))
        i += 1
    return (" ".join(parts) or None), i


def _ends_block(text: str) -> bool:
    return not text or bool(SEPARATOR_RE.match(text)) or bool(_BODY_START_RE.match(text))


def _continued(block: list[str], parts: list[str]) -> list[str]:
    """The lines of `block` that carry on the trích yếu: a first line, then lines in lower case
    or (under capitals) in capitals."""
    taken: list[str] = []
    for text in block:
        above = (parts + taken)[-1] if parts or taken else None
        if above is not None and not (_lower_start(text) or (is_upper(text) and is_upper(above))):
            break
        taken.append(text)
    return taken


def _lower_start(text: str) -> bool:
    return text[:1].islower() or text[:1].isdigit() or text[:1] == "("


def _decides(text: str, issuer: str) -> bool:
    """The authority line of a decision: the issuer's name or a post ("CHỦ TỊCH ỦY BAN …")."""
    return (bool(issuer) and f"{text} ".startswith(f"{issuer} ")) or text.startswith(_POSTS)


def _next_text(lines: Sequence[Line], start: int) -> str:
    return next((line.text for line in lines[start:] if line.text), "")


def _subject(head: Sequence[Line], cong_van_possible: bool) -> _Subject | None:
    """The "V/v …" trích yếu among the header lines; without one, a công văn's (a symbol without
    a type) first line in lower case under its number."""
    for n, line in enumerate(head):
        cell = next((c for c in cells(line.text) if _SUBJECT_RE.match(c)), None)
        if cell is not None:
            return _subject_from(head, n, cell, _SUBJECT_RE.sub("", cell))
    number_at = next((n for n, line in enumerate(head) if NUMBER_RE.search(line.text)), None)
    if number_at is None or not cong_van_possible:
        return None
    number = NUMBER_RE.search(head[number_at].text)
    assert number is not None
    if type_in_symbol(re.sub(r"\s+", "", number.group("symbol"))) is not CONG_VAN:
        return None
    for n in range(number_at + 1, len(head)):
        found = cells(head[n].text)
        if found and not is_upper(found[0]) and not DATE_RE.search(head[n].text) and not is_motto(found[0]):
            return _subject_from(head, n, found[0], found[0])
    return None


def _subject_from(head: Sequence[Line], n: int, cell: str, text: str) -> _Subject:
    parts, taken = [text], {head[n].index}
    for line in head[n + 1 :]:
        if not line.text:
            continue
        if not _continues_subject(line.text):
            break
        parts.append(squeeze(line.text))
        taken.add(line.index)
    first = Line(head[n].index, head[n].text.replace(cell, "   ", 1))
    return _Subject(squeeze(" ".join(parts)), frozenset(taken), first)


def _continues_subject(text: str) -> bool:
    """A wrapped trích yếu goes on in lower case; a date, a motto or capitals are the other column."""
    found = cells(text)
    return bool(found) and _lower_start(found[0]) and not DATE_RE.search(text) and not is_motto(found[0])
