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
from documents.doc_types import DocType, type_at_start
from documents.header_fields import DATE_RE, Header, read_header
from documents.text_cells import Line, cells, is_motto, is_upper, lines_of, squeeze

# Where the header and trích yếu end and the body begins.
_BODY_START_RE = re.compile(r"^(Kính\s+gửi|Kính\s+trình|Căn\s+cứ|Xét\s|Theo\s+đề\s+nghị)", re.IGNORECASE)
_SUBJECT_RE = re.compile(r"^V/v\b\s*:?\s*", re.IGNORECASE)
_YEAR_END_RE = re.compile(r"năm\s*\d{4}\s*[.,]?\s*")
_BODY_WORDS = 40  # a line this long is body text, not header
_TITLE_LINES_MAX = 6


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
    index: int
    doc_type: DocType
    before: str  # header text glued in front of the type name (a date line)
    after: str  # trích yếu glued after it


def read_fields(text: str) -> Fields:
    lines = lines_of(text)
    found = _type_line(lines)
    if found is not None:
        head = [*lines[: found.index], Line(found.index, found.before)]
        title, title_end = _title(lines, found.index + 1, found.after)
        doc_type: DocType | None = found.doc_type
    else:
        head, title, title_end = _subject(lines)
        doc_type = None
    header, notes = read_header(head, doc_type)
    signature, recipients, closing_notes = read_closing(lines[title_end:])
    return Fields(header, title, signature, recipients, tuple(notes + closing_notes))


def _header_zone(lines: Sequence[Line]) -> list[Line]:
    """The lines that may still be header: up to the first line of body text."""
    zone: list[Line] = []
    for line in lines:
        if _BODY_START_RE.match(line.text) or len(line.text.split()) >= _BODY_WORDS:
            break
        zone.append(line)
    return zone


def _type_line(lines: Sequence[Line]) -> _TypeLine | None:
    """The first cell that starts with a type's name, or holds it glued after a date's year."""
    for line in _header_zone(lines):
        for cell in cells(line.text):
            year = _YEAR_END_RE.search(cell) if DATE_RE.search(cell) else None
            head = cell[: year.end()] if year else ""
            found = type_at_start(cell[len(head) :])
            if found is not None and is_upper(found[0].name):
                start = line.text.find(cell)
                return _TypeLine(line.index, found[0], line.text[:start] + head, found[1])
    return None


def _title(lines: Sequence[Line], start: int, glued: str) -> tuple[str | None, int]:
    """The trích yếu under the type line and the index of the line after it: one block of lines
    in the same case, up to a blank line or the body; a line in capitals right above "Căn cứ"
    is the authority that decides, not the trích yếu."""
    parts = [glued] if glued else []
    i = start
    while not parts and i < len(lines) and not lines[i].text:
        i += 1
    while i < len(lines) and len(parts) < _TITLE_LINES_MAX:
        text = squeeze(lines[i].text)
        if not text or _BODY_START_RE.match(text) or (parts and is_upper(text) != is_upper(parts[0])):
            break
        if parts and is_upper(text) and _BODY_START_RE.match(_next_text(lines, i + 1)):
            break
        parts.append(text)
        i += 1
    return (" ".join(parts) or None), i


def _next_text(lines: Sequence[Line], start: int) -> str:
    return next((line.text for line in lines[start:] if line.text), "")


def _subject(lines: Sequence[Line]) -> tuple[list[Line], str | None, int]:
    """A công văn's header lines, its "V/v" trích yếu (without "V/v") and where its body starts."""
    zone = _header_zone(lines)
    end = len(zone)
    for n, line in enumerate(zone):
        match = next((c for c in cells(line.text) if _SUBJECT_RE.match(c)), None)
        if match is None:
            continue
        parts = [_SUBJECT_RE.sub("", match)]
        k = n + 1
        while k < len(zone) and _continues_subject(zone[k].text):
            parts.append(squeeze(zone[k].text))
            k += 1
        rest = line.text.replace(match, "   ", 1)
        head = [*zone[:n], Line(line.index, rest), *zone[k:]]
        return head, " ".join(parts), end
    return zone, None, end


def _continues_subject(text: str) -> bool:
    """A wrapped "V/v" line goes on in lower case; a date, a motto or capitals are the other column."""
    found = cells(text)
    return bool(found) and found[0][:1].islower() and not DATE_RE.search(text) and not is_motto(found[0])
