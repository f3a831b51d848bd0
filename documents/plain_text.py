"""Import a document from plain text such as the seed extracts: a Kế hoạch, or any type of
`documents.doc_types` (its type line, or a công văn's "V/v …" trích yếu under its number).

The text is Markdown-ish: `**bold**`, `*italic*`, superscript footnote markers (¹ ²), and
footnote bodies as paragraphs starting with a superscript digit, possibly in the middle of
the body where a page broke. Everything the importer drops or does not understand is
reported in `notes` with its line number; nothing is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from documents.doc_types import TYPES, type_of_cell
from documents.fields import Front, read_front
from documents.header_fields import Header
from documents.intake import ImportLimits, is_strange, strange_characters
from documents.markup import MARKER_RE, ends_sentence, marker_number, opens_block, superscript
from documents.text_cells import Line, split_glued_tail
from models.addressing import split_entry
from models.content import FORM_RE, Draft
from models.errors import Invalid
from models.notes import Note

TYPE_NAME = "KẾ HOẠCH"
# Named in the refusal of a text without a type line: the first few types, then "…".
_SOME_TYPES = ", ".join(t.name for t in TYPES[:4] if t.has_type_line) + ", …"

_NUMBER_RE = re.compile(r"Số\s*:?\s*\d*\s*[-/]\s*[^\s,;]+")
_DATE_RE = re.compile(r"(?:[^\W\d_][^,\n]*,\s*)?ngày\s+\S+\s+tháng\s+\S+\s+năm\s+[\d….]+")
RECIPIENTS_RE = re.compile(r"^nơi nhận\s*:?$", re.IGNORECASE)
_ENTRY_RE = re.compile(r"^[-–+•]\s*(.*)$")
SEPARATOR_RE = re.compile(r"^[-–—_=*\s]{3,}$")
_ARCHIVE_RE = re.compile(r"^Lưu\b")
VERSION_RE = re.compile(r"^Mã phiên bản\s*:\s*[0-9a-f]+$")  # printed by the renderers under the signature
_SIGNATURE_SCAN = 8
_HEADER_LINE_MAX = 500  # longer lines are not looked into for a number or a date
_FRONT_LINE_MAX = 5000  # the type line and trích yếu are looked for in this much of each line
_QUOTE_MAX = 80


@dataclass(frozen=True)
class ParsedText:
    draft: Draft
    notes: tuple[Note, ...] = field(default=())
    # The header as read (issuer, number, date, …): kept for an archived copy; a draft to be
    # issued gets its number and date at issuance, from the organisation's settings.
    header: Header = field(default_factory=Header)


@dataclass
class _Para:
    line: int
    text: str


def _clean(line: str) -> str:
    """A line without its emphasis markers and surrounding whitespace (for structure tests)."""
    return line.replace("*", "").strip()


def is_type_line(line: str) -> bool:
    """A line that is a type's name alone ("KẾ HOẠCH", "QUYẾT ĐỊNH", an OCR'd "K ÉT LUẬN")."""
    cleaned = _clean(line)
    return cleaned == cleaned.upper() and type_of_cell(cleaned) is not None


def is_recipients_label(line: str) -> bool:
    """ "Nơi nhận:" (any case, with or without the colon, emphasis aside)."""
    return bool(RECIPIENTS_RE.match(_clean(line)))


def is_authority(line: str) -> bool:
    """The first line of a signature block: "T/M BAN THƯỜNG VỤ", "KT. CHỦ TỊCH", …"""
    return bool(FORM_RE.match(_clean(line)))


def is_separator(line: str) -> bool:
    return bool(SEPARATOR_RE.match(line))


def is_archive(text: str) -> bool:
    """The archive entry ("Lưu Văn phòng …", "Lưu: VT, …") is filed, not sent."""
    return bool(_ARCHIVE_RE.match(text))


def quoted(text: str) -> str:
    """`text` shortened for a note."""
    return text if len(text) <= _QUOTE_MAX else text[: _QUOTE_MAX - 1] + "…"


def _looks_like_name(line: str) -> bool:
    """A person's name as signed: a few words, each capitalised, not all in capitals ("Phan Minh Quảng")."""
    words = line.split()
    if not 2 <= len(words) <= 7 or _is_upper(line):
        return False
    return all(w[0].isupper() for w in words if w[0].isalpha()) and any(w[0].isalpha() for w in words)


class _Parser:
    def __init__(self, text: str, limits: ImportLimits) -> None:
        normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
        lines = normalized.split("\n")
        if len(lines) > limits.max_paragraphs:
            raise Invalid(
                "document", code="import.too_many_lines", count=len(lines), limit=limits.max_paragraphs
            )
        self.notes: list[tuple[int, Note]] = []
        self.lines = [self.visible(i, line).rstrip() for i, line in enumerate(lines)]

    def visible(self, index: int, line: str) -> str:
        """The line without control or invisible characters (a right-to-left override hides text)."""
        found = strange_characters(line)
        if not found:
            return line
        self.note(index, "import.invisible_removed", characters=", ".join(found))
        return "".join(c for c in line if not is_strange(c))

    def note(self, index: int, code: str, **params: str) -> None:
        self.notes.append((index + 1, Note(f"line {index + 1}", code, **params)))

    # -- sections -------------------------------------------------------------------------

    def parse(self) -> ParsedText:
        first = next((i for i, line in enumerate(self.lines) if line.strip()), None)
        if first is None:
            raise Invalid("document", code="import.empty")
        front = self.front(first)
        doc_type = front.doc_type
        assert (
            doc_type is not None
        )  # front() refuses a text with neither a type line nor a công văn trích yếu
        self.header(i for i in range(first, front.header_end) if i not in front.subject_lines)
        summary = [" ".join(line.split()) for line in front.title]
        if not summary or RECIPIENTS_RE.match(summary[0]):
            type_name = _clean(self.lines[front.header_end])
            raise Invalid("document", code="import.no_title", line=front.header_end + 1, type_name=type_name)
        body_start = self.past_separators(front.body_start)
        recipients_index = next(
            (i for i in range(body_start, len(self.lines)) if RECIPIENTS_RE.match(_clean(self.lines[i]))),
            None,
        )
        if recipients_index is not None:
            body_end = recipients_index
            recipients, sign_start = self.recipients(recipients_index + 1)
        else:
            sign_start = self.find_signature(body_start)
            body_end = sign_start
            recipients = []
            self.note(body_end, "import.no_recipients_label")
        body, footnotes = self.body(body_start, body_end)
        if not body:
            raise Invalid("document", code="import.no_body", line=body_start + 1)
        form, collective, title, name = self.signature(sign_start)
        draft = Draft(
            title=" ".join(summary),
            body="\n\n".join(body),
            summary_lines=tuple(summary),
            footnotes=tuple(footnotes),
            recipient_lines=tuple(recipients),
            sign_form=form,
            sign_collective=collective,
            sign_title=title,
            signer_name=name,
            doc_type=doc_type,
        )
        notes = tuple(message for _, message in sorted(self.notes, key=lambda note: note[0]))
        return ParsedText(draft=draft, notes=notes, header=front.header)

    def front(self, first: int) -> Front:
        """The type line (any type's name) in the header, else a công văn's "V/v …" trích yếu;
        `Invalid` naming the first line when there is neither."""
        # Only bold markers go: a title may hold a literal "*" ("7*7"), and italics stay as typed.
        # A header or trích yếu is never this long; the cut keeps a pasted megabyte line cheap.
        lines = [
            Line(i, " ".join(line[:_FRONT_LINE_MAX].replace("**", "").split()))
            for i, line in enumerate(self.lines)
        ]
        bold = frozenset(i for i, line in enumerate(self.lines) if _is_bold(line))
        front = read_front(lines, bold)
        typed = front.typed
        if typed is not None:
            if typed.before.strip():
                self.header_text(typed.index, typed.before.strip())
            glued = " ".join(typed.after.split())
            if glued and not (front.title and " ".join(front.title[0].split()).startswith(glued[:20])):
                # "QUYẾT ĐỊNH CỦA UBND TỈNH …" names who decides; "QUY ĐỊNH (BỔ SUNG)" qualifies the type.
                self.note(typed.index, "import.text_after_type", text=quoted(glued))
        if front.doc_type is None:
            raise Invalid("document", code="import.no_type_line", line=first + 1, type_name=_SOME_TYPES)
        return front

    def header(self, indexes: Iterable[int]) -> None:
        for i in indexes:
            line = self.lines[i].strip()
            if line:
                self.header_text(i, line)

    def header_text(self, i: int, line: str) -> None:
        """Note what is dropped of header text on line `i`: the header comes from the settings."""
        found = False
        if len(line) > _HEADER_LINE_MAX:
            self.note(i, "import.header_line_long", text=quoted(line))
            return
        for match in _NUMBER_RE.finditer(line):
            found = True
            self.note(i, "import.number_dropped", number=match.group())
        for match in _DATE_RE.finditer(line):
            found = True
            self.note(i, "import.date_dropped", date=match.group().strip())
        if not found:
            self.note(i, "import.header_dropped", text=line)

    def past_separators(self, i: int) -> int:
        """The first line from `i` that is neither blank nor a separator (noting each separator)."""
        while i < len(self.lines) and (not self.lines[i].strip() or SEPARATOR_RE.match(self.lines[i])):
            if self.lines[i].strip():
                self.note(i, "import.separator_dropped", text=self.lines[i].strip())
            i += 1
        return i

    def find_signature(self, start: int) -> int:
        """Without a Nơi nhận list, the signature starts at the last authority line near the end."""
        filled = [i for i in range(start, len(self.lines)) if self.lines[i].strip()]
        for i in reversed(filled[-_SIGNATURE_SCAN:]):
            if FORM_RE.match(_clean(self.lines[i])):
                return i
        return len(self.lines)

    # -- body -----------------------------------------------------------------------------

    def paragraphs(self, start: int, end: int) -> list[tuple[_Para, bool]]:
        """(paragraph, follows a blank line) pairs; a line that does not open a block continues
        the paragraph right above it."""
        result: list[tuple[_Para, bool]] = []
        after_blank = True
        for i in range(start, end):
            line = self.lines[i].strip()
            if not line:
                after_blank = True
                continue
            if SEPARATOR_RE.match(line):
                self.note(i, "import.separator_dropped", text=line)
                after_blank = True
                continue
            if result and not after_blank and not opens_block(line):
                result[-1][0].text += " " + line
            else:
                result.append((_Para(i, line), after_blank))
            after_blank = False
        return result

    def body(self, start: int, end: int) -> tuple[list[str], list[str]]:
        flow: list[tuple[_Para, bool]] = []
        notes: list[tuple[_Para, int]] = []
        for para, after_blank in self.paragraphs(start, end):
            marker = MARKER_RE.match(para.text)
            if marker:
                text = para.text[marker.end() :].strip()
                notes.append((_Para(para.line, text), marker_number(marker.group())))
            else:
                flow.append((para, after_blank))
        merged: list[_Para] = []
        for para, after_blank in flow:
            previous = merged[-1] if merged else None
            # A page break splits a sentence, never a numbered item ("a) …" starts in lower case too).
            if (
                previous
                and after_blank
                and not ends_sentence(previous.text)
                and para.text[:1].islower()
                and not opens_block(para.text)
            ):
                previous.text += " " + para.text
                self.note(para.line, "import.page_break_joined")
            else:
                merged.append(para)
        self.check_footnotes(merged, notes)
        return [p.text for p in merged], [n.text for n, _ in notes]

    def check_footnotes(self, body: list[_Para], notes: list[tuple[_Para, int]]) -> None:
        used: dict[int, int] = {}
        for para in body:
            for match in MARKER_RE.finditer(para.text):
                used.setdefault(marker_number(match.group()), para.line)
        for position, (para, number) in enumerate(notes, start=1):
            if number != position:
                self.note(
                    para.line,
                    "import.footnote_order",
                    number=superscript(number),
                    position=superscript(position),
                )
            if number not in used:
                self.note(para.line, "import.footnote_unused", number=superscript(number))
        known = {number for _, number in notes}
        for number, line in sorted(used.items()):
            if number not in known:
                self.note(line, "import.marker_without_footnote", number=superscript(number))

    # -- Nơi nhận and signature -----------------------------------------------------------

    def recipients(self, start: int) -> tuple[list[tuple[str, str]], int]:
        entries: list[tuple[int, str]] = []
        i = start
        after_blank = True
        while i < len(self.lines):
            line = _clean(self.lines[i])
            if not line:
                after_blank = True
                i += 1
                continue
            entry = _ENTRY_RE.match(line)
            if entry:
                entries.append((i, entry.group(1).strip()))
            elif entries and not after_blank and not entries[-1][1].endswith(".") and not _is_upper(line):
                entries[-1] = (entries[-1][0], f"{entries[-1][1]} {line}")
            else:
                break
            after_blank = False
            i += 1
        if not entries:
            self.note(start - 1, "import.recipients_empty")
        result: list[tuple[str, str]] = []
        for n, (index, text) in enumerate(entries):
            if n == len(entries) - 1:
                text = self.strip_glued_tail(index, text)
            result.append(split_entry(text))
        archives = [n for n, (text, _) in enumerate(result) if is_archive(text)]
        if archives and archives[-1] != len(result) - 1:
            self.note(entries[archives[-1]][0], "import.archive_not_last")
        return result, i

    def strip_glued_tail(self, index: int, text: str) -> str:
        kept, tail = split_glued_tail(text)
        if tail:
            self.note(index, "import.glued_tail_dropped", text=tail)
        return kept

    def signature(self, start: int) -> tuple[str, str, str, str]:
        filled = [(i, _clean(self.lines[i])) for i in range(start, len(self.lines)) if _clean(self.lines[i])]
        while filled and VERSION_RE.match(filled[-1][1]):
            self.note(filled[-1][0], "import.version_hash_dropped", text=filled[-1][1])
            filled.pop()
        if not filled:
            self.note(min(start, len(self.lines) - 1), "import.no_signature")
            return "", "", "", ""
        form = collective = ""
        authority = FORM_RE.match(filled[0][1])
        if authority:
            form, collective = authority.group(1), authority.group(2).strip()
            filled = filled[1:]
        if not filled:
            self.note(start, "import.no_signer_name")
            return form, collective, "", ""
        named = next((n for n, (_, line) in enumerate(filled) if _looks_like_name(line)), len(filled) - 1)
        name = filled[named][1]
        for i, line in filled[named + 1 :]:
            self.note(i, "import.after_signer_dropped", text=quoted(line))
        titles: list[str] = []
        for i, line in filled[:named]:
            if line.startswith("(") and line.endswith(")"):
                self.note(i, "import.signature_remark_dropped", text=line)
            else:
                titles.append(line)
        return form, collective, "\n".join(titles), name


def _is_bold(line: str) -> bool:
    text = line.strip()
    return len(text) > 4 and text.startswith("**") and text.endswith("**")


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def parse(text: str, limits: ImportLimits | None = None) -> ParsedText:
    """Parse a document in plain text; raise `Invalid` when it is empty, too long or has no type
    line and no công văn trích yếu."""
    return _Parser(text, limits or ImportLimits()).parse()
