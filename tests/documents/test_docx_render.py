"""The DOCX renderer: both seeds rendered, reopened with python-docx and checked for order,
layout (vn-documents.md §7) and real footnotes; the importer reads them back unchanged."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from documents.docx_import import parse_docx
from documents.docx_render import render_docx
from documents.render import DocumentView
from tests.documents.seeds import SEED_000, SEED_004, draft, view_000, view_004


@pytest.fixture(scope="module")
def docx_000() -> bytes:
    return render_docx(view_000())


@pytest.fixture(scope="module")
def docx_004() -> bytes:
    return render_docx(view_004())


def _open(data: bytes) -> DocumentObject:
    return Document(io.BytesIO(data))


def _texts(document: DocumentObject) -> list[str]:
    """Every non-empty paragraph of the body in reading order, table cells left to right."""
    texts: list[str] = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                texts += [p.text for cell in row.cells for p in cell.paragraphs]
        else:
            texts.append(block.text)
    return [t for t in texts if t.strip()]


def _in_order(texts: list[str], expected: list[str]) -> None:
    """`expected` appear in `texts` in this order (each matched by its start)."""
    position = 0
    for item in expected:
        found = next((i for i in range(position, len(texts)) if texts[i].startswith(item)), None)
        assert found is not None, f"{item!r} not found after {texts[position - 1]!r}"
        position = found + 1


def test_seed_000_text_order(docx_000: bytes) -> None:
    texts = _texts(_open(docx_000))
    _in_order(
        texts,
        [
            "ĐẢNG BỘ TỈNH TRÀ VINH",
            "ĐẢNG ỦY KHỐI\nCÁC CƠ QUAN\nVÀ DOANH NGHIỆP",
            "*",
            "Số 38-KH/ĐUK",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Trà Vinh, ngày 08 tháng 11 năm 2021",
            "KẾ HOẠCH",
            "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy\nvề tiếp tục phát triển toàn diện "
            "vùng đồng bào dân tộc Khmer\ngiai đoạn 2021 - 2025, định hướng đến năm 2030",
            "-----",
            "Thực hiện Nghị quyết số 06-NQ/TU",
            "I- MỤC ĐÍCH, YÊU CẦU",
            "II- NHIỆM VỤ, GIẢI PHÁP",
            "III- TỔ CHỨC THỰC HIỆN",
            "2. Các Ban tham mưu giúp việc Đảng ủy Khối",
            "Nơi nhận:",
            "- Thường trực Tỉnh ủy,",
            "- Đ/c Nguyễn Văn Triết, UVTV.TU, Chủ tịch Ủy ban MTTQ tỉnh,",
            "- Lưu Văn phòng, Ban Tuyên giáo ĐUK.",
            "T/M BAN THƯỜNG VỤ",
            "PHÓ BÍ THƯ",
            "Phạm Phước Trãi",
        ],
    )
    assert texts[-1] == "Phạm Phước Trãi"
    assert not any("*" in t for t in texts if t != "*")  # emphasis markers became runs


def test_seed_004_text_order_and_real_footnotes(docx_004: bytes) -> None:
    document = _open(docx_004)
    texts = _texts(document)
    _in_order(
        texts,
        [
            "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
            "ĐẢNG ỦY XÃ HÀM LIÊM",
            "Số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-KH/ĐU",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Hàm Liêm, ngày … tháng … năm …",
            "KẾ HOẠCH",
            "Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1. Mục đích",
            "II. MỤC TIÊU",
            "III. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU",
            "IV. TỔ CHỨC THỰC HIỆN",
            "Trên đây là Kế hoạch",
            "Nơi nhận:",
            "- Thường trực Tỉnh ủy (báo cáo),",
            "- Lưu Văn phòng Đảng ủy.",
            "T/M BAN THƯỜNG VỤ",
            "PHÓ BÍ THƯ THƯỜNG TRỰC",
            "Phan Minh Quảng",
        ],
    )
    body = document.element.body
    references = [r.get(qn("w:id")) for r in body.iter(qn("w:footnoteReference"))]
    assert references == ["1", "2"]
    with zipfile_of(docx_004) as archive:
        footnotes = archive.read("word/footnotes.xml").decode()
        settings = archive.read("word/settings.xml").decode()
    assert (
        "31.595 khẩu/8.137 hộ" in footnotes and "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT." in footnotes
    )
    assert footnotes.index("31.595") < footnotes.index("03/21")
    assert '<w:footnotePr><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>' in settings
    # The footnote text is not in the body.
    assert not any("31.595" in t for t in texts)


def zipfile_of(data: bytes):  # type: ignore[no-untyped-def]
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data))


def test_page_setup_and_typography(docx_004: bytes) -> None:
    document = _open(docx_004)
    section = document.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [round(m.mm) if m is not None else None for m in sizes] == [210, 297]
    assert [round(m.mm) if m is not None else None for m in margins] == [20, 15, 20, 30]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    # Page numbers from page 2: a PAGE field in the header, an empty first-page header.
    assert section.different_first_page_header_footer
    assert 'w:instr=" PAGE "' in section.header._element.xml
    assert section.first_page_header.paragraphs[0].text == ""
    assert "Mã phiên bản: a1b2c3d4e5f6" in section.footer.paragraphs[0].text

    header, footer = document.tables
    for table in (header, footer):
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {b.get(qn("w:val")) for b in borders} == {"nil"}
        assert len(table.columns) == 2
    party = header.rows[0].cells[1].paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party.runs[0].bold and party.runs[0].font.size == Pt(15)
    assert party._p.pPr.find(qn("w:pBdr")) is not None  # the rule under it
    assert header.rows[0].cells[0].paragraphs[1].runs[0].bold  # the issuing body
    date = header.rows[0].cells[1].paragraphs[1]
    assert date.runs[0].italic

    paragraphs = document.paragraphs
    kind = next(p for p in paragraphs if p.text == "KẾ HOẠCH")
    assert kind.alignment == WD_ALIGN_PARAGRAPH.CENTER and kind.runs[0].bold
    title = paragraphs[paragraphs.index(kind) + 1]
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in title.runs if r.text)
    assert paragraphs[paragraphs.index(kind) + 2].text == "-----"
    body = paragraphs[paragraphs.index(kind) + 3]
    assert body.text.startswith("Thực hiện Nghị quyết số 12-NQ/TU")
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(body.paragraph_format.first_line_indent.mm) == 10
    assert body.paragraph_format.space_before == Pt(6)
    heading = next(p for p in paragraphs if p.text == "I. MỤC ĐÍCH, YÊU CẦU")
    assert heading.runs[0].bold and heading.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert heading.paragraph_format.keep_with_next
    italic = next(p for p in paragraphs if "khi được tỉnh giao" in p.text)
    assert [r.text for r in italic.runs if r.italic] == ["khi được tỉnh giao"]

    left, right = footer.rows[0].cells
    label, *entries = left.paragraphs
    assert label.text == "Nơi nhận:" and label.runs[0].underline and not label.runs[0].bold
    assert all(p.runs[0].font.size == Pt(12) for p in entries)
    assert [p.text[-1] for p in entries] == [","] * 6 + ["."]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in right.paragraphs)
    authority, title_line = right.paragraphs[0], right.paragraphs[1]
    assert authority.runs[0].bold and not title_line.runs[0].bold
    assert right.paragraphs[-1].text == "Phan Minh Quảng" and right.paragraphs[-1].runs[0].bold


@pytest.mark.parametrize(("which", "seed"), [("docx_000", SEED_000), ("docx_004", SEED_004)])
def test_the_importer_reads_the_rendered_document_back(
    which: str, seed: object, request: pytest.FixtureRequest
) -> None:
    parsed = parse_docx(request.getfixturevalue(which))
    assert parsed.draft == draft(seed)  # type: ignore[arg-type]


def test_state_profile(docx_004: bytes) -> None:
    view = replace(view_004(), party=False, org_code="UBND")
    document = _open(render_docx(view))
    texts = _texts(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts and "Độc lập - Tự do - Hạnh phúc" in texts
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts and "*" not in texts
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/KH-UBND" in texts
    assert "- Thường trực Đảng ủy;" in texts
    label = document.tables[1].rows[0].cells[0].paragraphs[0].runs[0]
    assert label.bold and label.italic and not label.underline and label.font.size == Pt(12)


def test_markup_in_user_text_stays_text_and_unplaced_footnotes_are_listed() -> None:
    view = DocumentView(
        org_name='Đảng ủy <xã> & "thôn"',
        summary_lines=("Tiêu đề <b>đậm</b> & {{ x }}",),
        body="Đoạn có **đậm**, *nghiêng* và chú thích¹.\n\nĐoạn <script>alert(1)</script> lặp lại¹.",
        footnotes=("Chú thích một.", "Chú thích *không* được dẫn."),
        recipients=(("Lưu VP", "", True),),
        sign_form="T/M",
        sign_collective="BAN THƯỜNG VỤ",
        sign_title="BÍ THƯ",
        signer_name="Nguyễn Văn A",
    )
    data = render_docx(view)
    document = _open(data)
    texts = _texts(document)
    assert 'ĐẢNG ỦY <XÃ> & "THÔN"' in texts
    assert "Tiêu đề <b>đậm</b> & {{ x }}" in texts
    assert "Đoạn <script>alert(1)</script> lặp lại1." in texts  # a repeated marker is plain superscript
    assert "2 Chú thích không được dẫn." in texts  # never referenced: listed after the body
    references = [r.get(qn("w:id")) for r in document.element.body.iter(qn("w:footnoteReference"))]
    assert references == ["1"]
    parsed = parse_docx(data)
    assert parsed.draft.footnotes == ("Chú thích một.", "Chú thích *không* được dẫn.")
    assert re.search(r"footnote ² has no marker in the body", "\n".join(parsed.notes))
