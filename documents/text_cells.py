"""Lines of copied document text, cut into the cells of the layout table they were flattened from.

A header or a signature is printed as a two-column table; copied from a web page, a PDF or a
Word file its columns land on one line, apart by a run of spaces, a tab or a `|`, or by one
space only. The Quốc hiệu, the Tiêu ngữ and "ĐẢNG CỘNG SẢN VIỆT NAM" are known words, so they
cut a line even where a single space joins them to the column beside them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from documents.intake import is_strange

# A `|` or a tab, a run of spaces, a rule ("-----") or the Party's "*" between two columns.
_COLUMN_GAP_RE = re.compile(r"\s*\|\s*|\t+|\s{3,}|\u00a0{2,}|\s*[-–—_=]{3,}\s*|\s+\*+\s+")
# Whole or wrapped, "HÒA", "HOÀ" or OCR'd, today's or the 1945–1976 one: the right column of
# every state header.
_HOA = r"H[^\W\d_]{1,3}"
MOTTO_RE = re.compile(
    rf"CỘNG\s+{_HOA}\s+XÃ\s+HỘI(?:\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM)?"
    r"|CHỦ\s+NGHĨA\s+VIỆT\s+NAM"
    rf"|VIỆT\s+NAM\s+DÂN\s+CHỦ\s+CỘNG\s+{_HOA}"
    r"|Độc\s+lập\s*[-–—]?\s*Tự\s+do\s*[-–—]?\s*Hạnh\s+phúc"
    r"|ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM",
    re.IGNORECASE,
)
# The form that opens a signature: Party slash forms, state dot forms, and the spellings copies
# give them ("K.T.", "T.M", "KT" without its dot), then a title in capitals.
_FORM = r"(T/M|K/T|T/L|TUQ\.?|Q\.|[TK]\.?[MTL]\.?)"
_AUTHORITY_RE = re.compile(rf"(?<!\S){_FORM}\s*(?=[^\W\d_]{{2}})")
_BARE_FORM_RE = re.compile(_FORM)
_EMPHASIS_RE = re.compile(r"\*+(?=\S)|(?<=\S)\*+")
_PAGE_RE = re.compile(r"^\s*(?:Trang|Page)\s*\d+(?:\s*/\s*\d+)?(?=\s|[^\W\d_]|$)")  # page furniture
_GLUED_TAIL_RE = re.compile(r"^(.*\S\.)([^\W\d_]+)$")
SEPARATOR_RE = re.compile(r"^[-–—_=*.\s]+$")


@dataclass(frozen=True)
class Line:
    index: int  # 0-based; notes print index + 1
    text: str  # stripped, emphasis markers removed, spaces kept (they separate columns)

    @property
    def number(self) -> int:
        return self.index + 1


def lines_of(text: str) -> list[Line]:
    """Every line of `text`, NFC, without control or invisible characters and Markdown emphasis."""
    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    result: list[Line] = []
    for index, raw in enumerate(normalized.split("\n")):
        visible = "".join(c for c in raw if c == "\t" or not is_strange(c))
        result.append(Line(index, _PAGE_RE.sub("", _without_emphasis(visible)).strip()))
    return result


def _without_emphasis(text: str) -> str:
    """`text` without Markdown's `**`, `__` and the `*` that hug a word; a lone "*" is the Party
    header's mark under the issuer, kept to part the columns."""
    if SEPARATOR_RE.match(text):
        return text
    return _EMPHASIS_RE.sub("", text.replace("**", "").replace("__", ""))


def squeeze(text: str) -> str:
    """`text` with every run of whitespace made one space."""
    return " ".join(text.split())


def cells(text: str) -> list[str]:
    """The cells of a flattened table row, in reading order, each squeezed; the motto words
    cut cells of their own, separators and empty cells are left out."""
    result: list[str] = []
    for part in _COLUMN_GAP_RE.split(text):
        start = 0
        for match in MOTTO_RE.finditer(part):
            result += [part[start : match.start()], match.group()]
            start = match.end()
        result.append(part[start:])
    return [squeeze(c) for c in result if c.strip() and not SEPARATOR_RE.match(c)]


def find_authority(text: str, anywhere: bool = False) -> re.Match[str] | None:
    """The signing form that starts `text` (or, with `anywhere`, that starts a word in it) and is
    followed by a post in capitals; a form without its dot must be followed by a space."""
    for match in _AUTHORITY_RE.finditer(text):
        if match.start() > 0 and not anywhere:
            return None
        marker, title = match.group(1), text[match.end() :].split()
        bare = marker[-1].isalpha() and match.end() == match.end(1)
        # a post: capitals, Vietnamese or more than one word ("KT TH" is two archive codes)
        post = bool(title) and is_upper(title[0]) and (len(title) > 1 or not title[0].isascii())
        if post and not bare and form_of(marker) in FORMS:
            return match
    return None


def is_bare_form(text: str) -> bool:
    """A form alone on its line ("K/T"), its title on the next."""
    match = _BARE_FORM_RE.fullmatch(text.strip())
    return match is not None and form_of(match.group(1)) in FORMS


FORMS = ("T/M", "K/T", "T/L", "TM.", "KT.", "TL.", "TUQ.", "Q.")


def form_of(marker: str) -> str:
    """The form as the rules spell it: "K.T." and "KT" are "KT.", "T/M" stays "T/M"."""
    return marker if "/" in marker or marker == "Q." else marker.replace(".", "") + "."


def cell_start(text: str, cell: str) -> int:
    """Where `cell` (squeezed) starts in `text` (spaced as copied); 0 when it is not there."""
    found = re.search(r"\s+".join(re.escape(word) for word in cell.split()), text)
    return found.start() if found else 0


def without_cell(text: str, cell: str) -> str:
    """`text` with `cell` (squeezed) taken out, a column gap in its place."""
    pattern = r"\s+".join(re.escape(word) for word in cell.split())
    return re.sub(pattern, "   ", text, count=1)


def is_motto(cell: str) -> bool:
    return bool(MOTTO_RE.fullmatch(cell))


def split_glued_tail(text: str) -> tuple[str, str]:
    """(`text`, "") or, when a word from the next column is glued after its final "." by the
    copy ("Lưu Văn phòng Đảng ủy.Thư"), (the text up to the ".", the glued word)."""
    match = _GLUED_TAIL_RE.match(text)
    if match and match.group(1)[-2:-1].islower() and any(c.islower() for c in match.group(2)):
        return match.group(1), match.group(2)
    return text, ""


def is_upper(text: str) -> bool:
    """Every letter is a capital (and there is one)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def looks_like_name(text: str) -> bool:
    """A person's name as signed: 2 to 6 words, each capitalised, not all in capitals."""
    words = text.split()
    if not 2 <= len(words) <= 6 or is_upper(text):
        return False
    return all(w[0].isupper() and w.replace(".", "").isalpha() for w in words)
