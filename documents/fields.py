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
from documents.header_fields import NUMBER_RE, Header, read_header
from documents.signature_fields import Signature
from documents.text_cells import Line, lines_of
from documents.title_fields import BODY_START_RE, read_subject, read_title
from documents.type_line import find_type_line

_BODY_WORDS = 40  # a line this long is body text, not header


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


def read_fields(text: str) -> Fields:
    """The fields of the document in `text`; what is not found is None (or empty)."""
    lines = lines_of(text)
    zone = _header_zone(lines)
    typed = find_type_line(zone)
    head = zone[: typed.index] if typed else zone
    subject = read_subject(head, typed is None)
    if subject is not None:
        head = subject.left_out_of(head)
    if typed is not None and typed.before:
        head = [*head, Line(typed.index, typed.before)]
    header, notes = read_header(head, typed.doc_type if typed else None)
    if subject is not None:
        title: str | None = subject.text
        body_start = typed.end if typed else len(zone)
    elif typed is not None:
        title, body_start = read_title(lines, typed.end, typed.after, header.issuer or "")
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
        if BODY_START_RE.match(line.text) or long:
            break
        zone.append(line)
    return zone
