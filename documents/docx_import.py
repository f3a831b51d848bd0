"""Import a plan (Kế hoạch) from a .docx drafted in Word.

The document is read in reading order (body paragraphs, tables cell by cell, then its real
footnotes) and written out in the plain-text form of the seeds, which `plain_text.parse`
reads; the parser's notes are mapped back from text lines to Word paragraphs ("paragraph 12
(table 2, row 1, cell 1)", "footnote 2"). Bold and italic runs become `**…**` and `*…*`,
except where bold is the layout's (headings, header, title, Nơi nhận, signature); automatic
list labels ("-", "1.", "a)") are written out. What has no place in a plan (pictures, text
boxes, equations, tables in the body, text after the signature, page headers) is reported.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from docx import Document as open_docx
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import OpcError
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml.etree import LxmlError

from documents.docx_format import Lists, Styles
from documents.intake import ImportLimits, check_docx_package
from documents.markup import classify, superscript
from documents.plain_text import ParsedText, is_authority, is_recipients_label, is_separator, is_type_line
from documents.plain_text import parse as parse_text
from models.errors import Invalid
from models.notes import Note

MAX_BYTES = ImportLimits().max_docx_bytes
_LINE_RE = re.compile(r"^line (\d+): ")
_EDGES_RE = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_SKIPPED = {qn(t) for t in ("w:pPr", "w:rPr", "w:del", "w:moveFrom", "w:proofErr", "w:bookmarkStart")}
_SKIPPED |= {qn(t) for t in ("w:bookmarkEnd", "w:commentRangeStart", "w:commentRangeEnd", "w:permStart")}
_PICTURES = {qn("w:drawing"), qn("w:pict"), qn("w:object"), _MC}
_BLOCKS = {qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}
_SIGNATURE_SCAN = 8


@dataclass(frozen=True)
class _Token:
    text: str
    bold: bool = False
    italic: bool = False
    neutral: bool = False  # a line break or whitespace: takes the formatting around it
    marker: bool = False  # a footnote marker: kept outside emphasis
    note: tuple[str, str] | None = None  # the (kind, w:id) of a real footnote or endnote


@dataclass
class _Para:
    element: Any
    where: str
    content: tuple[list[_Token], str] | None = None  # read once: list counters advance on reading


class _Reader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.styles = Styles(document)
        self.lists = Lists(document)
        self.note_xml = _note_elements(document)
        self.note_numbers: dict[tuple[str, str], int] = {}
        self.lines: list[tuple[str, str]] = []  # (text, where it came from)
        self.notes: list[tuple[int, Note]] = []  # (line index, note)
        self.count = 0
        self.tables = 0
        self.zone = "header"  # header, summary, body, footer, after
        self.type_index = -1
        self.placed: set[tuple[str, str]] = set()
        self.summary_started = False

    # -- output -------------------------------------------------------------------------------

    def emit(self, text: str, where: str) -> None:
        self.lines.extend((line, where) for line in text.split("\n"))

    def note(self, where: str, code: str, **params: str) -> None:
        self.notes.append((len(self.lines), Note(where, code, **params)))

    # -- reading order --------------------------------------------------------------------------

    def read(self) -> None:
        self.blocks(self.document.element.body)
        self.insert_footnotes()
        self.page_parts()

    def blocks(self, container: Any, table: str = "") -> None:
        for child in container:
            if child.tag == qn("w:p"):
                self.paragraph(self.numbered(child, table))
            elif child.tag == qn("w:tbl"):
                self.table(child)
            elif child.tag in _BLOCKS:
                self.blocks(child, table)

    def numbered(self, p: Any, table: str) -> _Para:
        self.count += 1
        return _Para(p, f"paragraph {self.count}{f' ({table})' if table else ''}")

    def cells(self, tbl: Any) -> Iterator[tuple[int, list[_Para]]]:
        """(column, paragraphs) for each cell, row by row, paragraphs numbered in reading order."""
        self.tables += 1
        number = self.tables
        for r, tr in enumerate(tbl.findall(qn("w:tr")), start=1):
            for c, tc in enumerate(tr.findall(qn("w:tc")), start=1):
                paras: list[_Para] = []
                for p in _cell_paragraphs(tc):
                    paras.append(self.numbered(p, f"table {number}, row {r}, cell {c}"))
                yield c, paras

    def table(self, tbl: Any) -> None:
        cells = list(self.cells(tbl))
        everything = [para for _, paras in cells for para in paras]
        if self.zone in {"summary", "body"} and any(self.is_footer_line(p) for p in everything):
            self.footer(cells)
            return
        if self.zone in {"summary", "body"} and everything:
            self.zone = "body"
            self.emit("", everything[0].where)
            self.note(everything[0].where, "docx.table_in_body")
        for para in everything:
            self.paragraph(para)

    def is_footer_line(self, para: _Para) -> bool:
        lines = self.text(para, emphasis=False).split("\n")
        return any(is_recipients_label(line) or is_authority(line) for line in lines)

    def footer(self, cells: list[tuple[int, list[_Para]]]) -> None:
        """Nơi nhận and signature side by side: the column holding "Nơi nhận:" is read first."""
        columns: dict[int, list[_Para]] = {}
        for column, paras in cells:
            columns.setdefault(column, []).extend(paras)

        def has_label(column: int) -> bool:
            return any(is_recipients_label(self.text(p, emphasis=False)) for p in columns[column])

        self.zone = "footer"
        for column in sorted(columns, key=lambda c: (not has_label(c), c)):
            if columns[column]:
                self.emit("", columns[column][0].where)
            for para in columns[column]:
                self.paragraph(para)
        self.zone = "after"

    # -- paragraphs -----------------------------------------------------------------------------

    def paragraph(self, para: _Para) -> None:
        if self.zone == "after":
            text = " ".join(self.text(para, emphasis=False).split())
            if text:
                self.note(para.where, "docx.after_signature_dropped", text=text)
        elif self.zone == "header":
            self.header_line(para)
        elif self.zone == "summary":
            self.summary_line(para)
        else:
            if self.zone == "body" and is_recipients_label(self.text(para, emphasis=False)):
                self.zone = "footer"
                self.emit("", para.where)
            if self.zone == "footer":
                self.emit(self.text(para, emphasis=False), para.where)
            else:
                self.emit(self.text(para, emphasis=True), para.where)
                self.emit("", para.where)
                for key in [t.note for t in self.content(para)[0] if t.note and t.note not in self.placed]:
                    self.placed.add(key)
                    self.lines += [(text, where) for text, where in self.footnote(key)] + [("", para.where)]

    def header_line(self, para: _Para) -> None:
        lines = self.text(para, emphasis=False).split("\n")
        typed = next((i for i, line in enumerate(lines) if is_type_line(line)), None)
        if typed is None:
            self.emit("\n".join(lines), para.where)
            self.emit("", para.where)
            return
        self.emit("\n".join(lines[: typed + 1]), para.where)
        self.type_index = len(self.lines) - 1
        self.emit("", para.where)
        self.zone = "summary"
        rest = [line for line in lines[typed + 1 :] if line.strip()]
        if rest:
            self.emit("\n".join(rest), para.where)
            self.summary_started = True

    def summary_line(self, para: _Para) -> None:
        """The first paragraph after the type line, and the centred ones right under it."""
        text = self.text(para, emphasis=False).strip("\n")
        if not text.strip():
            if self.summary_started:
                self.emit("", para.where)
                self.zone = "body"
            return
        if is_separator(text.strip()) or (self.summary_started and not self.styles.centred(para.element)):
            self.zone = "body"
            self.emit("", para.where)
            self.paragraph(para)
            return
        self.emit(text, para.where)
        self.summary_started = True

    def content(self, para: _Para) -> tuple[list[_Token], str]:
        """The paragraph's tokens and plain text, its automatic list label in front."""
        if para.content is None:
            tokens = list(self.tokens(para.element, para.element, para.where))
            number = self.styles.num_pr(para.element)
            label = self.lists.label(*number) if number else None
            if label:
                tokens.insert(0, _Token(f"{label} ", neutral=True))
            para.content = (tokens, "".join(t.text for t in tokens))
        return para.content

    def text(self, para: _Para, *, emphasis: bool) -> str:
        tokens, plain = self.content(para)
        if not emphasis:
            return plain
        kind = classify(plain.strip())
        if kind in {"heading1", "heading2"}:
            tokens = _without_layout_emphasis(tokens)
        elif self.styles.style_name(para.element).lower().startswith("heading") and plain.strip():
            self.note(para.where, "docx.heading_unnumbered", text=plain.strip())
        return _compose(tokens)

    def tokens(self, node: Any, p: Any, where: str) -> Iterator[_Token]:
        for child in node:
            tag = child.tag
            if tag == qn("w:r"):
                yield from self.run(child, p, where)
            elif tag in _PICTURES:
                self.picture(child, where)
            elif tag.startswith(_MATH):
                self.note(where, "docx.equation_dropped")
            elif tag not in _SKIPPED:
                yield from self.tokens(child, p, where)

    def run(self, r: Any, p: Any, where: str) -> Iterator[_Token]:
        look = self.styles.run_look(r, p)
        for child in r:
            tag = child.tag
            if tag == qn("w:t"):
                text = str(child.text or "")
                text = text.upper() if look.caps else text
                if look.superscript and text.strip().isdigit():
                    yield _Token(superscript(int(text.strip())), marker=True)
                else:
                    yield _Token(text, look.bold, look.italic, neutral=not text.strip())
            elif tag in {qn("w:tab"), qn("w:ptab")}:
                yield _Token(" ", neutral=True)
            elif tag == qn("w:cr") or (
                tag == qn("w:br") and child.get(qn("w:type"), "") in {"", "textWrapping"}
            ):
                yield _Token("\n", neutral=True)
            elif tag == qn("w:noBreakHyphen"):
                yield _Token("-", look.bold, look.italic)
            elif tag in {qn("w:footnoteReference"), qn("w:endnoteReference")}:
                yield self.reference(child, where)
            elif tag == qn("w:sym"):
                self.note(
                    where,
                    "docx.symbol_dropped",
                    char=str(child.get(qn("w:char"))),
                    font=str(child.get(qn("w:font"))),
                )
            elif tag in _PICTURES:
                self.picture(child, where)

    def picture(self, element: Any, where: str) -> None:
        if element.tag == _MC and len(element):
            element = element[0]  # mc:Choice; mc:Fallback repeats it
        boxed = [_plain(p) for p in element.iter(qn("w:p"))]
        text = " ".join(t for t in boxed if t.strip())
        if text:
            self.note(where, "docx.text_box_dropped", text=text)
        else:
            self.note(where, "docx.picture_dropped")

    # -- footnotes ------------------------------------------------------------------------------

    def reference(self, element: Any, where: str) -> _Token:
        kind = "footnote" if element.tag == qn("w:footnoteReference") else "endnote"
        key = (kind, str(element.get(qn("w:id"))))
        if key not in self.note_numbers:
            self.note_numbers[key] = len(self.note_numbers) + 1
            if kind == "endnote":
                self.note(where, "docx.endnote_as_footnote", number=superscript(self.note_numbers[key]))
        return _Token(superscript(self.note_numbers[key]), marker=True, note=key)

    def footnote(self, key: tuple[str, str]) -> list[tuple[str, str]]:
        """The footnote as a text paragraph "¹ …" (nothing when its text is missing: the parser
        then reports the marker without text)."""
        where = f"footnote {self.note_numbers[key]}"
        element = self.note_xml.get(key)
        if element is None:
            return []
        paras = [self.text(_Para(p, where), emphasis=True) for p in element.iter(qn("w:p"))]
        paras = [" ".join(p.split()) for p in paras if p.strip()]
        if len(paras) > 1:
            self.note(where, "docx.footnote_joined", count=str(len(paras)))
        return [(f"{superscript(self.note_numbers[key])} {' '.join(paras)}", where)]

    def insert_footnotes(self) -> None:
        """Footnotes referenced outside the body go at its end, where the parser takes them."""
        lines: list[tuple[str, str]] = []
        for key in self.note_numbers:
            if key not in self.placed:
                self.placed.add(key)
                lines += [
                    line for text_line in self.footnote(key) for line in (text_line, ("", text_line[1]))
                ]
        if not lines:
            return
        at = self.footnote_position()
        block = [("", lines[0][1]), *lines]
        self.lines[at:at] = block
        self.notes = [(i + len(block) if i >= at else i, message) for i, message in self.notes]

    def footnote_position(self) -> int:
        for i in range(self.type_index + 1, len(self.lines)):
            if is_recipients_label(self.lines[i][0]):
                return i
        filled = [i for i, (text, _) in enumerate(self.lines) if text.strip()]
        for i in reversed(filled[-_SIGNATURE_SCAN:]):
            if i > self.type_index and is_authority(self.lines[i][0]):
                return i
        return len(self.lines)

    def page_parts(self) -> None:
        seen: set[str] = set()
        for section in self.document.sections:
            parts = [
                ("page header", section.header),
                ("page header", section.first_page_header),
                ("page header", section.even_page_header),
                ("page footer", section.footer),
                ("page footer", section.first_page_footer),
                ("page footer", section.even_page_footer),
            ]
            for label, part in parts:
                if part.is_linked_to_previous:
                    continue
                text = " ".join(" ".join(p.text.split()) for p in part.paragraphs).strip()
                if text and not text.isdigit() and text not in seen:
                    seen.add(text)
                    self.note(label, "docx.page_header_ignored", text=text)

    # -- result ---------------------------------------------------------------------------------

    def parsed(self, limits: ImportLimits) -> ParsedText:
        text = "\n".join(line for line, _ in self.lines)
        try:  # each paragraph is a line or more, with blank lines between them
            result = parse_text(text, replace(limits, max_paragraphs=4 * limits.max_paragraphs))
        except Invalid as error:
            raise Invalid(error.field, self.located(error.reason), code=error.code, **error.params) from error
        notes: list[tuple[int, Note]] = list(self.notes)
        for note in result.notes:
            match = _LINE_RE.match(note)
            index = int(match.group(1)) - 1 if match else len(self.lines)
            notes.append((index, note.at(self.place(index)) if match else note))
        ordered = tuple(message for _, message in sorted(notes, key=lambda n: n[0]))
        return ParsedText(draft=result.draft, notes=ordered)

    def located(self, message: str) -> str:
        match = _LINE_RE.match(message)
        if not match:
            return message
        return f"{self.place(int(match.group(1)) - 1)}: {message[match.end() :]}"

    def place(self, index: int) -> str:
        """The Word paragraph (or cell, footnote) that text line `index` came from."""
        return self.lines[index][1] if 0 <= index < len(self.lines) else "end of document"


def _cell_paragraphs(tc: Any) -> Iterator[Any]:
    for child in tc:
        if child.tag == qn("w:p"):
            yield child
        elif child.tag == qn("w:tbl"):
            for tr in child.findall(qn("w:tr")):
                for inner in tr.findall(qn("w:tc")):
                    yield from _cell_paragraphs(inner)
        elif child.tag in _BLOCKS:
            yield from _cell_paragraphs(child)


def _plain(p: Any) -> str:
    return "".join(str(t.text or "") for t in p.iter(qn("w:t")))


def _note_elements(document: Document) -> dict[tuple[str, str], Any]:
    """Footnotes and endnotes by (kind, w:id), read from their package parts if present."""
    found: dict[tuple[str, str], Any] = {}
    for rel in document.part.rels.values():
        kind = {RT.FOOTNOTES: "footnote", RT.ENDNOTES: "endnote"}.get(rel.reltype)
        if kind is None or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        for element in root.findall(qn(f"w:{kind}")):
            if element.get(qn("w:type"), "normal") == "normal":
                found[(kind, str(element.get(qn("w:id"))))] = element
    return found


def _without_layout_emphasis(tokens: list[_Token]) -> list[_Token]:
    """A heading is bold (or bold italic) as a whole by layout: that is not the author's emphasis."""
    words = [t for t in tokens if not t.neutral and not t.marker and t.text.strip()]
    bold = bool(words) and all(t.bold for t in words)
    italic = bool(words) and all(t.italic for t in words)
    return [_Token(t.text, t.bold and not bold, t.italic and not italic, t.neutral, t.marker) for t in tokens]


def _compose(tokens: list[_Token]) -> str:
    """Tokens to text with `**`/`*` around formatted stretches, line by line; footnote markers
    and the whitespace at the edges of a stretch stay outside the emphasis."""
    groups: list[list[Any]] = []  # [text, bold, italic]; "\n" is a group of its own
    for token in tokens:
        if token.text == "\n":
            groups.append(["\n", False, False])
            continue
        last = groups[-1] if groups and groups[-1][0] != "\n" else None
        if token.neutral and not token.marker and last is not None:
            last[0] += token.text
            continue
        look = [False, False] if token.marker or token.neutral else [token.bold, token.italic]
        if last is not None and last[1:] == look:
            last[0] += token.text
        else:
            groups.append([token.text, *look])
    out: list[str] = []
    for text, bold, italic in groups:
        wrap = ("**" if bold else "") + ("*" if italic else "")
        match = _EDGES_RE.match(text)
        if wrap and match is not None and match.group(2):
            text = f"{match.group(1)}{wrap}{match.group(2)}{wrap}{match.group(3)}"
        out.append(text)
    return "".join(out)


def parse_docx(data: bytes, limits: ImportLimits | None = None) -> ParsedText:
    """Parse a plan drafted in Word; raise `Invalid` when it is not a .docx, exceeds the import
    limits (checked on the zip before any XML is parsed), is malformed or is not a Kế hoạch."""
    limits = limits or ImportLimits()
    check_docx_package(data, limits)
    try:
        document = open_docx(io.BytesIO(data))
        reader = _Reader(document)
        reader.read()
    except LxmlError as error:
        raise Invalid("document", code="import.not_docx", detail=f"malformed XML: {error}") from error
    except (
        zipfile.BadZipFile,
        zlib.error,
        OpcError,
        KeyError,
        ValueError,
        AttributeError,
        TypeError,
        IndexError,
    ) as error:
        raise Invalid(
            "document", code="import.not_docx", detail=f"or a damaged one: {type(error).__name__}: {error}"
        ) from error
    return reader.parsed(limits)
