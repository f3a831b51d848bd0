"""The end of a document: the signature block (ô 7) and the Nơi nhận list (ô 9).

Both are printed as one two-column table, Nơi nhận on the left and the signature on the right,
so copied text interleaves them line by line, and either may come first. Each cell goes to the
list or to the signature by what it looks like: "Nơi nhận:" and "- …" entries to the list, the
capitalised authority and title lines and the signer's name to the signature.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from documents.doc_types import type_at_start
from documents.signature_fields import TITLE_LINES_MAX, Signature, read_signature
from documents.text_cells import (
    Line,
    cells,
    find_authority,
    is_bare_form,
    is_upper,
    looks_like_name,
    split_glued_tail,
    squeeze,
)
from models.notes import Note

_LABEL_RE = re.compile(r"^n[ơo]i\s+nhận\s*:?\s*", re.IGNORECASE)
_ENTRY_RE = re.compile(r"^[-–+•]\s*")
_REMARK_RE = re.compile(r"^[(\[].*[)\]]$|^đã\s+ký\b", re.IGNORECASE)
# Capitals glued after a list entry by one space: "- Lưu: VT, NC. PHÓ CHỦ TỊCH".
_CAPITAL_TAIL_RE = re.compile(r"[;,.:]\s+((?:[^\W\d_]{2,}\s+)+[^\W\d_]{2,})$")
_ANNEX_RE = re.compile(r"^(PHỤ LỤC|DANH MỤC|DANH SÁCH|BIỂU)\b")
_DIRECT_SCAN = 15  # non-blank lines from the end searched for a signature without T/M, TM. …


@dataclass
class _Streams:
    recipients: list[tuple[Line, str]] = field(default_factory=list)
    signed: list[tuple[Line, str]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    listing: bool = False  # under a "Nơi nhận:" label, before the list ends
    dashed: bool = False  # the list's entries start with "-" (else each line is one)
    last_entry_line: int = -1


def read_closing(lines: Sequence[Line]) -> tuple[Signature | None, tuple[str, ...], list[Note]]:
    """(signature, Nơi nhận entries, notes) from the lines below the title."""
    start = _closing_start(lines)
    if start is None:
        return None, (), []
    streams = _Streams()
    for line in lines[start:]:
        if line.text and line.index > start and _starts_annex(line.text):
            streams.notes.append(Note(f"line {line.number}", "fields.rest_not_read", text=line.text))
            break
        _sort(line, streams)
    if streams.recipients:
        line, last = streams.recipients[-1]
        kept, tail = split_glued_tail(last.rstrip())
        if tail:
            streams.recipients[-1] = (line, kept)
            streams.notes.append(Note(f"line {line.number}", "fields.glued_tail_dropped", text=tail))
    recipients = tuple(_entry(text) for _, text in streams.recipients)
    signature, notes = read_signature(streams.signed)
    return signature, recipients, streams.notes + notes


def _closing_start(lines: Sequence[Line]) -> int | None:
    """The first line of the closing table: the last "Nơi nhận" label or authority line,
    whichever comes first, or a title-and-name signature block near the end."""
    label = _last(lines, lambda line: bool(_LABEL_RE.match(line.text)))
    authority = _last(lines, _has_authority)
    while (
        authority is not None
        and (above := _filled_above(lines, authority)) is not None
        and _has_authority(lines[above])
    ):
        authority = above  # "TM. CHÍNH PHỦ" above "TUQ. THỦ TƯỚNG": the block starts at the first form
    if authority is None:
        authority = _direct_signature(lines)
    found = [i for i in (label, authority) if i is not None]
    return min(found) if found else None


def _has_authority(line: Line) -> bool:
    return is_bare_form(line.text) or any(find_authority(c, anywhere=True) for c in cells(line.text))


def _filled_above(lines: Sequence[Line], index: int) -> int | None:
    return next((n for n in range(index - 1, -1, -1) if lines[n].text), None)


def _last(lines: Sequence[Line], test: Callable[[Line], bool]) -> int | None:
    return next((n for n in range(len(lines) - 1, -1, -1) if test(lines[n])), None)


def _direct_signature(lines: Sequence[Line]) -> int | None:
    """A signature printed without a form: capitalised title lines right above a name."""
    filled = [n for n, line in enumerate(lines) if line.text and not _REMARK_RE.match(line.text)]
    tail = filled[-_DIRECT_SCAN:]
    for k in range(len(tail) - 1, -1, -1):
        last = cells(lines[tail[k]].text)
        if not last or not looks_like_name(last[-1]):
            continue
        top = k
        while top > 0 and k - top < TITLE_LINES_MAX and _title_cell(lines[tail[top - 1]].text):
            top -= 1
        if top < k:
            return tail[top]
        if k == len(tail) - 1 and not lines[tail[k] - 1].text:
            return tail[k]  # a name alone at the end, under the body: signed without a title
    return None


def _title_cell(text: str) -> bool:
    found = cells(text)
    return bool(found) and is_upper(found[-1]) and type_at_start(found[-1]) is None


def _starts_annex(text: str) -> bool:
    return is_upper(text) and (_ANNEX_RE.match(text) is not None or type_at_start(text) is not None)


def _sort(line: Line, streams: _Streams) -> None:
    """Send each cell of `line` to the list, to the signature, or to the notes."""
    if not line.text:
        return
    for position, cell in enumerate(cells(line.text)):
        label = _LABEL_RE.match(cell)
        if label:
            streams.listing = True
            streams.last_entry_line = line.index
            cell = cell[label.end() :]
            position += 1  # what follows the label on its line is the other column
            if not cell:
                continue
        entry = _ENTRY_RE.match(cell)
        follows = streams.listing and streams.last_entry_line == line.index - 1
        if entry and streams.listing:
            streams.listing = streams.dashed = True
            _add_entry(line, cell[entry.end() :], streams)
            continue
        if _REMARK_RE.match(cell):
            continue
        if position > 0 or find_authority(cell) or is_upper(cell) or streams.signed:
            _add_signed(line, cell, streams)
        elif follows and not streams.dashed and not looks_like_name(cell) and _ends_entry(streams):
            _add_entry(line, cell, streams)  # a list without dashes: one entry a line
            continue
        elif follows and streams.recipients:
            last_line, text = streams.recipients[-1]
            streams.recipients[-1] = (last_line, f"{text} {cell}")
            streams.last_entry_line = line.index
            continue
        elif looks_like_name(cell):
            _add_signed(line, cell, streams)
        else:
            streams.notes.append(Note(f"line {line.number}", "fields.cell_not_placed", text=cell))
        if position == 0:
            streams.listing = False  # the left column went on with something else: the list ended


def _ends_entry(streams: _Streams) -> bool:
    """No entry yet, or the last one ends as list entries do (";", ",", ".")."""
    return not streams.recipients or streams.recipients[-1][1].rstrip().endswith((";", ",", "."))


def _add_entry(line: Line, text: str, streams: _Streams) -> None:
    """A list entry; a signature cell glued to it by one space goes to the signature."""
    authority = find_authority(text, anywhere=True)
    tail = _CAPITAL_TAIL_RE.search(text)
    cut = authority.start() if authority else tail.start(1) if tail and _title_words(tail.group(1)) else None
    if cut is not None and cut > 0:
        _add_signed(line, text[cut:], streams)
        text = text[:cut]
    streams.recipients.append((line, text.strip()))
    streams.last_entry_line = line.index


def _title_words(text: str) -> bool:
    """Words of a post in capitals ("PHÓ CHỦ TỊCH"), not archive abbreviations ("VT NC"): posts
    are Vietnamese words, with their diacritics."""
    return is_upper(text) and not text.isascii()


def _add_signed(line: Line, text: str, streams: _Streams) -> None:
    streams.signed.append((line, squeeze(text)))


def _entry(text: str) -> str:
    """An entry as printed, without the ";", "," or final "." that ends it."""
    return squeeze(text).rstrip(";,.").rstrip()
