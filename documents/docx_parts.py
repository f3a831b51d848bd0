"""Low-level WordprocessingML the python-docx API does not cover: borderless fixed tables,
paragraph rules, a PAGE field, document fonts and language, and real footnotes (a
`word/footnotes.xml` part, its separators, and references in the body).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from docx.document import Document
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from documents.render import FONTS_DIR

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_SIDES = ("top", "left", "bottom", "right", "insideH", "insideV")


def twips(length: Length) -> int:
    return int(length.twips)


def fonts(document: Document, family: str, size: Pt, lang: str = "vi-VN") -> None:
    """Every script in `family` (no theme fonts), the Normal size, Vietnamese proofing."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
    if rpr is not None:
        for old in rpr.findall(qn("w:rFonts")) + rpr.findall(qn("w:lang")):
            rpr.remove(old)
        rpr.insert(0, parse_xml(f"<w:rFonts {nsdecls('w')} {_font_attributes(family)}/>"))
        rpr.append(parse_xml(f'<w:lang {nsdecls("w")} w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/>'))
    normal = document.styles["Normal"]
    normal.font.name = family
    normal.font.size = size
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(script), family)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _font_attributes(family: str) -> str:
    return " ".join(f'w:{script}="{family}"' for script in ("ascii", "hAnsi", "cs", "eastAsia"))


_TBL_PR: tuple[str, ...] = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize")
_TBL_PR += ("w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders")
_TBL_PR += ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _put(parent: Any, xml: str, order: tuple[str, ...]) -> None:
    """Replace or insert the child `xml` where the schema's sequence `order` wants it."""
    element = parse_xml(xml)
    tag = element.tag
    for old in parent.findall(tag):
        parent.remove(old)
    name = next(t for t in order if qn(t) == tag)
    parent.insert_element_before(element, *order[order.index(name) + 1 :])


def fixed_table(table: Table, widths: list[Length]) -> None:
    """No borders, no cell padding, fixed column widths (Word and LibreOffice honour tcW)."""
    tbl_pr = table._tbl.tblPr
    borders = "".join(f'<w:{side} w:val="nil"/>' for side in _SIDES)
    margins = "".join(f'<w:{side} w:w="0" w:type="dxa"/>' for side in ("top", "left", "bottom", "right"))
    total = sum(twips(w) for w in widths)
    _put(tbl_pr, f'<w:tblW {nsdecls("w")} w:w="{total}" w:type="dxa"/>', _TBL_PR)
    _put(tbl_pr, f"<w:tblBorders {nsdecls('w')}>{borders}</w:tblBorders>", _TBL_PR)
    _put(tbl_pr, f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>', _TBL_PR)
    _put(tbl_pr, f"<w:tblCellMar {nsdecls('w')}>{margins}</w:tblCellMar>", _TBL_PR)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def keep_row_together(table: Table) -> None:
    for row in table.rows:
        row._tr.get_or_add_trPr().insert(0, parse_xml(f"<w:cantSplit {nsdecls('w')}/>"))


def drop_thumbnail(document: Document) -> None:
    """The template's preview picture would show a page that is not this document."""
    package = document.part.package
    for r_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[r_id]


def bottom_rule(paragraph: Paragraph, size_eighths: int = 6) -> None:
    """A solid rule under the paragraph, as wide as the paragraph (set its indents to size it)."""
    ppr = paragraph._p.get_or_add_pPr()
    rule = f'<w:bottom w:val="single" w:sz="{size_eighths}" w:space="1" w:color="000000"/>'
    ppr.insert_element_before(
        parse_xml(f"<w:pBdr {nsdecls('w')}>{rule}</w:pBdr>"),
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:spacing",
        "w:ind",
        "w:jc",
    )


def page_field(paragraph: Paragraph) -> None:
    """A PAGE field: the page number, kept current by Word."""
    paragraph._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>2</w:t></w:r></w:fldSimple>')
    )


@lru_cache(maxsize=4)
def _metrics(bold: bool) -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    from fontTools.ttLib import TTFont  # fontTools comes with WeasyPrint

    font = TTFont(FONTS_DIR / ("LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"))
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def text_width(text: str, size: Pt, *, bold: bool = False) -> Length:
    """Width of `text` in Liberation Serif, which has the metrics of Times New Roman."""
    cmap, metrics, units = _metrics(bold)
    advance = sum(metrics.get(cmap.get(ord(c), ".notdef"), (units // 2, 0))[0] for c in text)
    return Length(int(advance * size / units))


class Footnotes:
    """Real Word footnotes. Word numbers them by the order of their references."""

    def __init__(self, document: Document, count: int) -> None:
        self.document = document
        self.count = count
        self.placed: set[int] = set()
        self.bodies: dict[int, str] = {}

    def reference(self, paragraph: Paragraph, number: int) -> None:
        """The first marker of a footnote is its reference; a repeated one is a plain superscript."""
        if not 1 <= number <= self.count or number in self.placed:
            paragraph.add_run(str(number)).font.superscript = True
            return
        self.placed.add(number)
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                f'<w:footnoteReference w:id="{number}"/></w:r>'
            )
        )

    def write(self, runs: dict[int, list[tuple[str, bool, bool]]], size: Pt, indent: Length) -> None:
        """Add the footnotes part with the placed footnotes' runs (text, bold, italic)."""
        if not self.placed:
            return
        notes = [
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
            'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>',
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
            "</w:footnote>",
        ]
        half_points = int(size.pt * 2)
        for number in sorted(self.placed):
            body = "".join(_run_xml(text, bold, italic, half_points) for text, bold, italic in runs[number])
            notes.append(
                f'<w:footnote w:id="{number}"><w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
                f'<w:ind w:firstLine="{twips(indent)}"/><w:jc w:val="both"/></w:pPr>'
                f'<w:r><w:rPr><w:vertAlign w:val="superscript"/><w:sz w:val="{half_points}"/></w:rPr>'
                f"<w:footnoteRef/></w:r>{_run_xml(' ', False, False, half_points)}{body}</w:p></w:footnote>"
            )
        xml = f"<w:footnotes {nsdecls('w')}>{''.join(notes)}</w:footnotes>"
        package = self.document.part.package
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, xml.encode("utf-8"), package)
        self.document.part.relate_to(part, RT.FOOTNOTES)
        settings: Any = self.document.settings.element
        settings.insert_element_before(
            parse_xml(
                f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
            ),
            "w:endnotePr",
            "w:compat",
            "w:docVars",
            "w:rsids",
            "m:mathPr",
            "w:themeFontLang",
        )


def _run_xml(text: str, bold: bool, italic: bool, half_points: int) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + f'<w:sz w:val="{half_points}"/>'
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
