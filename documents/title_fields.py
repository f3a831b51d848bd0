"""The trích yếu: under the type line, or a công văn's "V/v …" under its number (ô 5a, 5b).

Copied text keeps the trích yếu's own line breaks and adds others; what follows it may be a
blank line, a rule, the body's first "Căn cứ", or (in a decision) the deciding authority in
capitals. Rules on the shape of the lines tell them apart, never the words of one document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from documents.doc_types import CONG_VAN
from documents.header_fields import DATE_RE, NUMBER_RE, number_type
from documents.text_cells import (
    SEPARATOR_RE,
    Line,
    cells,
    is_motto,
    is_upper,
    looks_like_name,
    squeeze,
    without_cell,
)

# Where the header and trích yếu end and the body begins.
BODY_START_RE = re.compile(
    r"^(?:[-–]\s*)?(Kính(?:\s*gửi|\s*trình|$)|Căn\s+cứ|Xét\s|Theo\s+đề\s+nghị)", re.IGNORECASE
)
# A công văn's trích yếu: "V/v …" or, in some, "Về việc …" under the number.
_SUBJECT_RE = re.compile(r"^(?:V/v\b|Về\s+việc\b)\s*:?\s*", re.IGNORECASE)
# Where the body starts in a trích yếu glued to it: a dash hugging the first word ("… năm 2020
# -Căn cứ …"), or "Căn cứ" / "Kính gửi" after a space.
_GLUED_BODY_RE = re.compile(r"\s[-–](?=[^\W\d_])|\s(?=[-–]?\s*(?:Căn\s+cứ|Kính\s+gửi)\b)")
_BLOCK_LINES_MAX = 5  # a trích yếu printed alone between blank lines is at most this long
_ALONE_WORDS = 12  # a short line alone under the trích yếu, past a blank line, still belongs to it
_HEADING_RE = re.compile(r"^(?:Điều\s+\d+|Chương\s+[IVX\d]+|[IVX]+|\d+|[a-zđ])\s*[.):/-]")
# Posts that decide a state decision, printed in capitals above its "Căn cứ" lines.
_QUALIFIER_LINES = 2  # under the deciding authority: "KHÓA XI, KỲ HỌP THỨ 2"
_POSTS = ("CHỦ TỊCH", "BỘ TRƯỞNG", "THỦ TƯỚNG", "GIÁM ĐỐC", "TRƯỞNG", "CHÁNH", "TỔNG", "HIỆU TRƯỞNG")


@dataclass(frozen=True)
class Subject:
    """A công văn's trích yếu, printed under its number ("V/v …", or without "V/v" in Party ones)."""

    text: str
    rests: tuple[tuple[int, str], ...]  # (line index, what the other columns leave of it)

    def left_out_of(self, head: Sequence[Line]) -> list[Line]:
        """`head` without the trích yếu's text: the header lines around it."""
        rests = dict(self.rests)
        return [Line(line.index, rests[line.index]) if line.index in rests else line for line in head]


def read_title(
    lines: Sequence[Line], start: int, glued: str, issuer: str, bold: frozenset[int] = frozenset()
) -> tuple[tuple[str, ...], int]:
    """The trích yếu's lines under the type line (none found: empty) and the index of the line after it.

    A short block of lines up to a blank line, a rule or the body is the whole trích yếu; in a
    longer one (no blank line before the body) it goes on while a line continues the one above:
    in lower case, or in capitals under capitals. A line in capitals right above "Căn cứ" that
    names the issuer or a post is the authority that decides, not the trích yếu."""
    under = next((line.text for line in lines[start:] if line.text), "")
    if glued.startswith("CỦA ") and _SUBJECT_RE.match(under):
        glued = ""  # "QUYẾT ĐỊNH CỦA UBND TỈNH …" names who decides; the trích yếu is the "V/v" under it
    glued = _GLUED_BODY_RE.split(glued, maxsplit=1)[0].strip()  # a whole document run onto one line
    parts = [glued] if glued else []
    i = start
    while not parts and i < len(lines) and not lines[i].text:
        i += 1
    end = i
    while end < len(lines) and not _ends_block(lines[end].text):
        end += 1
    block = [squeeze(line.text) for line in lines[i:end]]
    if not _whole(block, parts):
        block = _continued(block, parts)
    for n, text in enumerate(block):
        if (
            parts
            and _decides(text, parts[-1], issuer)
            and _body_under(block[n + 1 :], lines, i + len(block) - n)
        ):
            break
        parts.append(text)
        i += 1
    while parts and (following := _after_blank(lines, i, parts[-1], bold)) is not None:
        parts.append(squeeze(lines[following].text))
        i = following + 1
    return tuple(parts), i


def _after_blank(lines: Sequence[Line], i: int, above: str, bold: frozenset[int] = frozenset()) -> int | None:
    """The line past the blank lines at `i` when it still belongs to the trích yếu: it goes on in
    lower case, in bold under bold, up to a rule under the trích yếu, or it is one short line on
    its own under capitals ("Năm học 2025-2026")."""
    if i >= len(lines) or lines[i].text:
        return None
    k = next((n for n in range(i, len(lines)) if lines[n].text), None)
    if k is None:
        return None
    text = lines[k].text
    if _HEADING_RE.match(text) or _ends_block(text):
        return None
    if _lower_start(text):
        return k if not is_upper(above) else None
    if (i - 1 in bold and k in bold) or _rule_ahead(lines, k):
        return k
    alone = k + 1 >= len(lines) or _ends_block(lines[k + 1].text)
    short = len(text.split()) <= _ALONE_WORDS and not text.endswith((".", ":", ";"))
    plain = not (is_upper(text) or _ends_block(text) or DATE_RE.search(text) or looks_like_name(text))
    return k if alone and short and plain else None


def _rule_ahead(lines: Sequence[Line], k: int) -> bool:
    """A rule (the "-----" under a trích yếu) comes after a few title-like lines from `k`."""
    taken = 0
    for line in lines[k:]:
        if SEPARATOR_RE.match(line.text):
            return True
        if not line.text:
            continue
        taken += 1
        if taken > _BLOCK_LINES_MAX or line.text.endswith((".", ":", ";")) or _ends_block(line.text):
            return False
        if _HEADING_RE.match(line.text) or DATE_RE.search(line.text) or looks_like_name(line.text):
            return False
    return False


def _whole(block: list[str], parts: list[str]) -> bool:
    """A block short enough to be the trích yếu alone: no sentence or heading in it, and capitals
    give way only to a line in lower case."""
    if len(parts) + len(block) > _BLOCK_LINES_MAX or (block and block[-1].endswith(":")):
        return False
    if any(t.endswith((".", ":", ";")) for t in block[:-1]) or any(_HEADING_RE.match(t) for t in block[1:]):
        return False
    lines = parts + block
    return not any(is_upper(a) and not is_upper(b) and not _lower_start(b) for a, b in pairwise(lines))


def _ends_block(text: str) -> bool:
    return not text or bool(SEPARATOR_RE.match(text)) or bool(BODY_START_RE.match(text))


def _continued(block: list[str], parts: list[str]) -> list[str]:
    """The lines of `block` that carry on the trích yếu: a first line, then lines in lower case
    or (under capitals) in capitals."""
    taken: list[str] = []
    for text in block:
        above = (parts + taken)[-1] if parts or taken else None
        if above is not None and not (_lower_start(text) or (_capitals(text) and _capitals(above))):
            break
        taken.append(text)
    return taken


def _capitals(text: str) -> bool:
    """In capitals, but for a letter or two an OCR put in lower case ("KINH TẾ - Xà HỘI")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.islower() for c in letters) <= len(letters) // 20


def _lower_start(text: str) -> bool:
    return text[:1].islower() or text[:1].isdigit() or text[:1] == "("


def _decides(text: str, above: str, issuer: str) -> bool:
    """The authority line of a decision, in capitals: the issuer's name or a post ("CHỦ TỊCH ỦY
    BAN …"), unless the line above leaves the trích yếu open ("…, " / "CHỦ TỊCH NƯỚC …")."""
    if not is_upper(text) or above.endswith((",", "-", "–")):
        return False
    return _same_body(text, issuer) or text.startswith(_POSTS)


def _same_body(text: str, issuer: str) -> bool:
    """`text` names the issuer: in full, or its first words ("HỘI ĐỒNG NHÂN DÂN TỈNH")."""
    words, named = text.split(), issuer.split()
    return len(words) >= 2 and len(named) >= 2 and words[:2] == named[:2]


def _body_under(rest: list[str], lines: Sequence[Line], after: int) -> bool:
    """Nothing but qualifiers in capitals ("KHÓA XI, KỲ HỌP THỨ 2") between here and the body."""
    if len(rest) > _QUALIFIER_LINES or not all(is_upper(t) for t in rest):
        return False
    return bool(BODY_START_RE.match(next((line.text for line in lines[after:] if line.text), "")))


def read_subject(head: Sequence[Line], cong_van_possible: bool) -> Subject | None:
    """The "V/v …" trích yếu among the header lines; without one, a công văn's (a symbol without
    a type) first line in lower case under its number."""
    for n, line in enumerate(head):
        cell = next((c for c in cells(line.text) if _SUBJECT_RE.match(c)), None)
        if cell is not None:
            return _subject_from(head, n, cell, _SUBJECT_RE.sub("", cell))
    number_at = next((n for n, line in enumerate(head) if NUMBER_RE.search(line.text)), None)
    if number_at is None or not cong_van_possible or number_type(head[number_at].text) is not CONG_VAN:
        return None
    for n in range(number_at + 1, len(head)):
        found = cells(head[n].text)
        if found and not is_upper(found[0]) and not DATE_RE.search(head[n].text) and not is_motto(found[0]):
            return _subject_from(head, n, found[0], found[0])
    return None


def _subject_from(head: Sequence[Line], n: int, cell: str, text: str) -> Subject:
    """The trích yếu starting with `cell` on head[n], with the lines that go on with it."""
    parts, rests = [text], [(head[n].index, without_cell(head[n].text, cell))]
    for line in head[n + 1 :]:
        if not line.text:
            continue
        found = cells(line.text)
        if not found or not _lower_start(found[0]) or DATE_RE.search(found[0]) or is_motto(found[0]):
            break  # a date, a motto or capitals are the other column, or the header goes on
        parts.append(found[0])
        rests.append((line.index, without_cell(line.text, found[0])))
    return Subject(squeeze(" ".join(parts)), tuple(rests))
