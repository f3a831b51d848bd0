"""Render a plan (Kế hoạch) to DOCX with python-docx, laid out as vn-documents.md §7 asks.

A4, margins 20/15/20/30 mm, Times New Roman 14 pt; the borderless two-column header table
(superior and issuing body, "*", the number | the Party heading or state motto with its rule,
the italic place and date); the bold centred type name and title with the author's line
breaks, then "-----"; a justified body with a 10 mm first-line indent, 6 pt between paragraphs,
lines exactly 18 pt, bold headings kept with the next paragraph; real Word footnotes (12 pt)
and, after the body, any footnote the body never refers to; the borderless footer table with
Nơi nhận bottom left and the signature block bottom right, kept on one page. Page numbers
from page 2, 10 mm from the top; the version hash in the page footer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document as new_document
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Length, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from documents import docx_parts as parts
from documents.markup import split_blocks, superscript, to_segments
from documents.render import PARTY_HEADING, STATE_HEADING, STATE_MOTTO, DocumentView

FONT = "Times New Roman"
PAGE = (Mm(210), Mm(297))
MARGINS = (Mm(20), Mm(15), Mm(20), Mm(30))  # top, right, bottom, left
INDENT = Mm(10)
LINE = Pt(18)
_TEXT_WIDTH = PAGE[0] - MARGINS[1] - MARGINS[3]


@dataclass(frozen=True)
class Profile:
    """Sizes and styles that differ between Party (HD36/HD05) and state (NĐ 30) documents."""

    heading_size: Pt
    body_size: Pt
    type_size: Pt
    label_size: Pt
    label_bold_italic: bool
    recipient_size: Pt
    line_end: str
    title_bold: bool


PARTY = Profile(Pt(15), Pt(14), Pt(15), Pt(14), False, Pt(12), ",", False)
STATE = Profile(Pt(13), Pt(14), Pt(14), Pt(12), True, Pt(11), ";", True)


def _para(
    container: Document | _Cell,
    text: str = "",
    *,
    size: Pt,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
) -> Paragraph:
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = align
    if text:
        run = paragraph.add_run(text)
        run.font.size = size
        run.bold, run.italic = bold or None, italic or None
    return paragraph


def _page(document: Document, view: DocumentView) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = MARGINS
    section.header_distance = Mm(10)
    section.footer_distance = Mm(8)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # page 1 has no number
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts.page_field(number)
    for footer in (section.footer, section.first_page_footer):
        line = footer.paragraphs[0]
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if view.version_hash:
            line.add_run(f"Mã phiên bản: {view.version_hash}").font.size = Pt(8)
    parts.fonts(document, FONT, Pt(14))
    parts.drop_thumbnail(document)
    properties = document.core_properties
    properties.title = f"{view.type_name} {view.title}"[:255]
    properties.author = view.org_name[:255]
    properties.language = "vi-VN"


def _ruled(cell: _Cell, text: str, size: Pt, width: Length, *, first: bool = False) -> None:
    """A bold line with a solid rule beneath it, as long as the text."""
    paragraph = _para(cell, text, size=size, bold=True, first=first)
    side = max(0, int((width - parts.text_width(text, size, bold=True)) / 2))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Length(side)
    parts.bottom_rule(paragraph)


def _header(document: Document, view: DocumentView, profile: Profile) -> None:
    widths = [Length(int(_TEXT_WIDTH * 0.4)), Length(_TEXT_WIDTH - int(_TEXT_WIDTH * 0.4))]
    table = document.add_table(rows=1, cols=2)
    parts.fixed_table(table, widths)
    left, right = table.rows[0].cells
    size = profile.body_size if view.party else Pt(13)
    first = True
    if view.org_superior:
        _para(left, "\n".join(view.superior_lines), size=size, first=first)
        first = False
    if view.org_name:
        _para(left, "\n".join(view.issuer_lines), size=size, bold=True, first=first)
        first = False
    if view.party:
        _para(left, "*", size=size, first=first)
    else:
        rule = _para(left, size=size, first=first)
        rule.paragraph_format.left_indent = rule.paragraph_format.right_indent = Length(int(widths[0] / 3))
        parts.bottom_rule(rule)
    _para(left, view.symbol_text, size=size)
    if view.subject_line:
        _para(left, view.subject_line, size=Pt(12), italic=view.party)
    if view.party:
        _ruled(right, PARTY_HEADING, profile.heading_size, widths[1], first=True)
    else:
        _para(right, STATE_HEADING, size=profile.heading_size, bold=True, first=True)
        _ruled(right, STATE_MOTTO, Pt(14), widths[1])
    date = _para(right, view.date_text, size=Pt(14), italic=True)
    date.paragraph_format.space_before = Pt(6)


def _title(document: Document, view: DocumentView, profile: Profile) -> None:
    if not view.type_name:
        return  # a công văn: its trích yếu stands under the number
    kind = _para(document, view.type_name, size=profile.type_size, bold=True)
    kind.paragraph_format.space_before = Pt(18)
    kind.paragraph_format.keep_with_next = True
    summary = _para(document, size=profile.body_size)
    summary.paragraph_format.keep_with_next = True
    for n, line in enumerate(view.summary_lines):
        for segment in to_segments(line):
            run = summary.add_run(segment.text or superscript(segment.footnote))
            run.bold, run.italic, run.font.size = True, segment.italic or None, profile.body_size
            run.font.superscript = bool(segment.footnote) or None
        if n < len(view.summary_lines) - 1:
            summary.add_run().add_break()
    separator = _para(document, "-----", size=profile.body_size)
    separator.paragraph_format.space_after = Pt(6)


def _body(document: Document, view: DocumentView, profile: Profile, notes: parts.Footnotes) -> None:
    for block in split_blocks(view.body):
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = INDENT
        fmt.space_before = Pt(6)
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.widow_control = True
        heading = block.kind in {"heading1", "heading2"}
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if heading else WD_ALIGN_PARAGRAPH.JUSTIFY
        if block.kind == "greeting":  # "Kính gửi:" centred, italic in Party documents
            paragraph.alignment, fmt.first_line_indent = WD_ALIGN_PARAGRAPH.CENTER, None
        fmt.keep_with_next = heading or None
        for segment in to_segments(block.text):
            if segment.footnote:
                notes.reference(paragraph, segment.footnote)
                continue
            run = paragraph.add_run(segment.text)
            run.font.size = profile.body_size
            italic = segment.italic or (block.kind == "greeting" and view.party)
            run.bold, run.italic = (segment.bold or heading) or None, italic or None


def _footnotes(document: Document, view: DocumentView, notes: parts.Footnotes) -> None:
    runs: dict[int, list[tuple[str, bool, bool]]] = {}
    for number, text in enumerate(view.footnotes, start=1):
        runs[number] = [(s.text or superscript(s.footnote), s.bold, s.italic) for s in to_segments(text)]
    notes.write(runs, Pt(12), INDENT)
    unplaced = [n for n in runs if n not in notes.placed]
    for index, number in enumerate(unplaced):
        paragraph = _para(document, size=Pt(12), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = INDENT
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(12)
        paragraph.add_run(str(number)).font.superscript = True
        for text, bold, italic in [(" ", False, False), *runs[number]]:
            run = paragraph.add_run(text)
            run.font.size, run.bold, run.italic = Pt(12), bold or None, italic or None


def _footer(document: Document, view: DocumentView, profile: Profile) -> None:
    widths = [Length(int(_TEXT_WIDTH * 0.45)), Length(_TEXT_WIDTH - int(_TEXT_WIDTH * 0.45))]
    spacer = document.add_paragraph()
    spacer.paragraph_format.space_before = Pt(6)
    spacer.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=2)
    parts.fixed_table(table, widths)
    parts.keep_row_together(table)
    left, right = table.rows[0].cells
    if view.recipients:
        label = _para(
            left,
            "Nơi nhận:",
            size=profile.label_size,
            bold=profile.label_bold_italic,
            italic=profile.label_bold_italic,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            first=True,
        )
        label.runs[0].underline = view.party or None
        for n, (text, annotation, _archive) in enumerate(view.recipients, start=1):
            end = "." if n == len(view.recipients) else profile.line_end
            line = f"- {text}{f' ({annotation})' if annotation else ''}{end}"
            entry = _para(left, line, size=profile.recipient_size, align=WD_ALIGN_PARAGRAPH.LEFT)
            entry.paragraph_format.left_indent = Mm(3)
            entry.paragraph_format.first_line_indent = -Mm(3)
    first = True
    for line, authority in view.signature_lines:
        _para(right, line, size=Pt(14), bold=authority or profile.title_bold, first=first)
        first = False
    space = _para(right, size=Pt(14), first=first)
    space.paragraph_format.space_after = Mm(24)
    _para(right, view.signer_name, size=Pt(14), bold=True)
    last = document.add_paragraph()  # a body must end with a paragraph; this one takes no room
    last.paragraph_format.line_spacing_rule, last.paragraph_format.line_spacing = (
        WD_LINE_SPACING.EXACTLY,
        Pt(1),
    )


def render_docx(view: DocumentView) -> bytes:
    """The document as a Word file: the same content and layout rules as the PDF."""
    profile = PARTY if view.party else STATE
    document = new_document()
    _page(document, view)
    _header(document, view, profile)
    _title(document, view, profile)
    notes = parts.Footnotes(document, len(view.footnotes))
    _body(document, view, profile, notes)
    _footnotes(document, view, notes)
    _footer(document, view, profile)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
