"""The type line: the document type's name printed in capitals above the trích yếu (ô 5a).

Copies glue it to the date line above ("…năm 2025KẾ HOẠCH") or to the trích yếu below
("QUYẾT ĐỊNHVề việc …"), cut it over two lines ("HƯỚNG" / "DẪN"), or OCR it ("K ÉT LUẬN").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from documents.doc_types import DocType, starts_type_name, type_at_start, type_of_cell
from documents.header_fields import DATE_RE
from documents.text_cells import Line, cell_start, cells, is_upper

_YEAR_END_RE = re.compile(r"năm\s*\d{4}\s*[.,]?\s*")


@dataclass(frozen=True)
class TypeLine:
    index: int  # the type name's first line
    end: int  # the line after the type name (the trích yếu's first line)
    doc_type: DocType
    before: str  # header text glued in front of the type name (a date line)
    after: str  # trích yếu glued after it


def find_type_line(zone: Sequence[Line]) -> TypeLine | None:
    """The first cell that starts with a type's name, holds it glued after a date's year, or
    is its name cut by a line break or spelled by OCR ("HƯỚNG" / "DẪN", "K ÉT LUẬN")."""
    for n, line in enumerate(zone):
        for cell in cells(line.text):
            year = _YEAR_END_RE.search(cell) if DATE_RE.search(cell) else None
            head = cell[: year.end()] if year else ""
            start = cell_start(line.text, cell)
            found = type_at_start(cell[len(head) :])
            if found is not None:
                return TypeLine(line.index, line.index + 1, found[0], line.text[:start] + head, found[1])
            named = type_of_cell(cell)
            if named is not None and is_upper(cell):
                return TypeLine(line.index, line.index + 1, named, line.text[:start], "")
            wrapped = _wrapped_type(cell, zone[n + 1 :])
            if wrapped is not None:
                return TypeLine(line.index, wrapped[1] + 1, wrapped[0], line.text[:start], "")
    return None


def _wrapped_type(cell: str, below: Sequence[Line]) -> tuple[DocType, int] | None:
    following = next((line for line in below if line.text), None)
    if following is None or not is_upper(cell) or not starts_type_name(cell):
        return None
    named = type_of_cell(f"{cell} {following.text}")
    return (named, following.index) if named else None
