"""Build a .docx of a seed plan the way an office drafts it in Word (python-docx only).

This deliberately shares no code with the importer: it reads the seed text with its own
simple rules (every line is a paragraph; a chunk starting in lower case continues the one
before it, mending the extract's page breaks) and writes what a secretary would type: a
borderless header table, a bold centred type and title, justified body paragraphs with bold
and italic runs, bold headings, footnotes (real Word footnotes, or typed as superscript digits
in paragraphs), and the Nơi nhận / signature table.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_INLINE_RE = re.compile(r"(\*\*.+?\*\*|\*[^*\s][^*]*?\*|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_HEADING_RE = re.compile(r"^([IVX]+[-.] |\d+\. (?!.*[.:;]$))")


@dataclass
class Seed:
    summary: list[str]
    body: list[str]
    footnotes: list[str]
    recipients: list[str]
    signature: list[str]
    footnote_after: dict[int, int] = field(default_factory=dict)  # footnote -> body index before it


def read_seed(text: str) -> Seed:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "KẾ HOẠCH") + 1
    while not lines[start].strip():
        start += 1
    summary: list[str] = []
    while lines[start].strip():
        summary.append(lines[start].replace("**", "").strip())
        start += 1
    end = next(i for i, line in enumerate(lines) if line.strip() == "Nơi nhận:")
    body: list[str] = []
    footnotes: list[str] = []
    after: dict[int, int] = {}
    chunk_start = True
    for line in lines[start:end]:
        line = line.strip()
        if not line:
            chunk_start = True
            continue
        if line[0] in SUPERSCRIPTS:
            footnotes.append(line.lstrip(SUPERSCRIPTS).strip())
            after[len(footnotes)] = len(body) - 1
        elif chunk_start and line[0].islower():
            body[-1] += " " + line
        else:
            body.append(line)
        chunk_start = False
    rest = [line.strip() for line in lines[end + 1 :]]
    recipients: list[str] = []
    i = 0
    while i < len(rest) and (not recipients or rest[i]):
        if rest[i]:
            recipients.append(rest[i])
        i += 1
    signature = [line.replace("**", "") for line in rest[i:] if line]
    return Seed(summary, body, footnotes, recipients, signature, after)


def _runs(paragraph: Paragraph, text: str, doc: _Footnotes | None, *, bold: bool = False) -> None:
    for piece in _INLINE_RE.split(text):
        if not piece:
            continue
        if piece[0] in SUPERSCRIPTS:
            number = int("".join(str(SUPERSCRIPTS.index(c)) for c in piece))
            if doc is not None:
                doc.reference(paragraph, number)
            else:
                paragraph.add_run(str(number)).font.superscript = True
        elif piece.startswith("**"):
            paragraph.add_run(piece[2:-2]).bold = True
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            run = paragraph.add_run(piece[1:-1])
            run.italic = True
            run.bold = bold or None
        else:
            paragraph.add_run(piece).bold = bold or None


class _Footnotes:
    """Real Word footnotes: a footnotes part, separators, and references in the body."""

    def __init__(self, document: DocumentObject, texts: list[str]) -> None:
        notes = [
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote>",
        ]
        for n, text in enumerate(texts, start=1):
            notes.append(
                f'<w:footnote w:id="{n}"><w:p><w:pPr><w:jc w:val="both"/></w:pPr>'
                '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:rPr><w:sz w:val="24"/></w:rPr><w:t xml:space="preserve"> {escape(text)}</w:t></w:r>'
                "</w:p></w:footnote>"
            )
        xml = f'<w:footnotes xmlns:w="{W}">{"".join(notes)}</w:footnotes>'
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode(), document.part.package)
        document.part.relate_to(part, RT.FOOTNOTES)

    def reference(self, paragraph: Paragraph, number: int) -> None:
        paragraph._p.append(
            parse_xml(
                f'<w:r xmlns:w="{W}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{number}"/></w:r>'
            )
        )


def _borderless(table: object) -> None:
    tbl = table._tbl  # type: ignore[attr-defined]
    tbl.tblPr.append(
        parse_xml(
            f'<w:tblBorders xmlns:w="{W}">'
            + "".join(
                f'<w:{side} w:val="nil"/>'
                for side in ("top", "left", "bottom", "right", "insideH", "insideV")
            )
            + "</w:tblBorders>"
        )
    )


def _centred(
    cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, first: bool = False
) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None


def seed_docx(
    text: str,
    *,
    header: tuple[str, str, str, str],  # superior, issuer, number line, place-date line
    real_footnotes: bool = True,
    bold_summary: bool = True,
) -> bytes:
    seed = read_seed(text)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)

    top = document.add_table(rows=1, cols=2)
    top.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(top)
    left, right = top.rows[0].cells
    superior, issuer, number, date = header
    _centred(left, superior, first=True)
    _centred(left, issuer, bold=True)
    _centred(left, "*")
    _centred(left, number)
    _centred(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, first=True)
    right.paragraphs[0].runs[0].underline = True
    _centred(right, date, italic=True)

    document.add_paragraph()
    kind = document.add_paragraph()
    kind.alignment = WD_ALIGN_PARAGRAPH.CENTER
    kind.add_run("KẾ HOẠCH").bold = True
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for n, line in enumerate(seed.summary):
        run = title.add_run(line)
        run.bold = bold_summary or None
        if n < len(seed.summary) - 1:
            run.add_break()
    document.add_paragraph("-----").alignment = WD_ALIGN_PARAGRAPH.CENTER

    notes = _Footnotes(document, seed.footnotes) if real_footnotes and seed.footnotes else None
    typed_after = {index: n for n, index in seed.footnote_after.items()} if not real_footnotes else {}
    for index, line in enumerate(seed.body):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(10)
        _runs(paragraph, line, notes, bold=bool(_HEADING_RE.match(line)))
        if index in typed_after:
            note = document.add_paragraph()
            note.add_run(str(typed_after[index])).font.superscript = True
            note.add_run(" " + seed.footnotes[typed_after[index] - 1]).font.size = Pt(12)

    bottom = document.add_table(rows=1, cols=2)
    _borderless(bottom)
    left, right = bottom.rows[0].cells
    label = left.paragraphs[0].add_run("Nơi nhận:")
    label.underline, label.bold, label.italic = True, True, True
    for line in seed.recipients:
        left.add_paragraph().add_run(line).font.size = Pt(12)
    *titles, name = seed.signature
    authority, *rest = titles
    _centred(right, authority, bold=True, first=True)
    for line in rest:
        _centred(right, line)
    for _ in range(3):
        right.add_paragraph()
    _centred(right, name, bold=True)
    document.add_paragraph()

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
