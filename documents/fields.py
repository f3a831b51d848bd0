"""The fields a person reads off any Party or state document: header, trích yếu, signature, Nơi nhận.

`read_fields` takes the text as copied (web page, PDF text layer, Word text), with its header
columns flattened and its page furniture, and returns what it found; anything it could not
place is in `notes`, with its line number. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from documents.closing_fields import read_closing
from documents.doc_types import CONG_VAN
from documents.header_fields import NUMBER_RE, Header, read_header
from documents.signature_fields import Signature
from documents.text_cells import Line, lines_of
from documents.title_fields import BODY_START_RE, read_subject, read_title
from documents.type_line import TypeLine, find_type_line
from models.notes import Note

_BODY_WORDS = 40  # a line this long is body text, not header


@dataclass(frozen=True)
class Fields:
    header: Header
    title: str | None
    signature: Signature | None
    recipients: tuple[str, ...] = ()
    notes: tuple[Note, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        """The shape of the corpus's hand-written `.json` files (without source, kind, complete)."""
        signature = self.signature
        return {
            # Without the urgency and secrecy marks: no corpus document carries one.
            "header": {k: v for k, v in asdict(self.header).items() if k not in {"urgency", "secrecy"}},
            "title": self.title,
            "signature": None
            if signature is None
            else {"lines": list(signature.lines), "name": signature.name, "form": signature.form},
            "recipients": list(self.recipients),
        }


@dataclass(frozen=True)
class Front:
    """The top of a document as read: its header, its type and where its trích yếu and body are."""

    header: Header
    notes: tuple[Note, ...]
    typed: TypeLine | None  # None: no type line (a công văn, or no type found)
    title: tuple[str, ...]  # the trích yếu's lines; () when none was found
    subject_lines: frozenset[int]  # the header lines that held nothing but a công văn's trích yếu
    body_start: int  # the index of the body's first line

    @property
    def doc_type(self) -> str | None:
        """The type line's code; "CV" for a công văn's trích yếu without one; None: neither found."""
        if self.typed is not None:
            return self.typed.doc_type.code
        return CONG_VAN.code if self.title else None

    @property
    def header_end(self) -> int:
        """The type line, or (a công văn) the first line after the header."""
        return self.typed.index if self.typed is not None else self.body_start


def read_front(lines: Sequence[Line], bold: frozenset[int] = frozenset()) -> Front:
    """The header, the type line and the trích yếu at the top of `lines` (`bold`: the indexes of
    the lines typed in bold, where the text says so)."""
    zone = header_zone(lines)
    typed = find_type_line(zone)
    head = zone[: typed.index] if typed else zone
    subject = read_subject(head, typed is None)
    taken: frozenset[int] = frozenset()
    if subject is not None:
        head = subject.left_out_of(head)
        taken = frozenset(index for index, rest in subject.rests if not rest.strip())
    if typed is not None and typed.before:
        head = [*head, Line(typed.index, typed.before)]
    header, notes = read_header(head, typed.doc_type if typed else None)
    if subject is not None:
        title: tuple[str, ...] = (subject.text,)
        body_start = typed.end if typed else len(zone)
    elif typed is not None:
        title, body_start = read_title(lines, typed.end, typed.after, header.issuer or "", bold)
    else:
        title, body_start = (), len(zone)
    return Front(header, tuple(notes), typed, title, taken, body_start)


def read_fields(text: str) -> Fields:
    """The fields of the document in `text`; what is not found is None (or empty)."""
    lines = lines_of(text)
    front = read_front(lines)
    signature, recipients, closing_notes = read_closing(lines[front.body_start :])
    title = " ".join(front.title) or None
    return Fields(front.header, title, signature, recipients, front.notes + tuple(closing_notes))


def header_zone(lines: Sequence[Line]) -> list[Line]:
    """The lines that may still be header: up to the first line of body text (a long line is
    body text, unless it is the whole header flattened onto one line)."""
    zone: list[Line] = []
    for line in lines:
        long = len(line.text.split()) >= _BODY_WORDS and not NUMBER_RE.search(line.text)
        if BODY_START_RE.match(line.text) or long:
            break
        zone.append(line)
    return zone
