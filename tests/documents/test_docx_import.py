"""The .docx importer: Word drafts of both seeds import to the same draft as their text twins,
and what Word adds on top (automatic lists, tables, pictures, tracked changes) is read or reported."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml

from documents.docx_import import parse_docx
from documents.plain_text import parse
from models.errors import Invalid
from tests.documents.wordbuild import W, seed_docx

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"
SEED_000 = (SEEDS / "000_c7129e358e0d37a5.txt").read_text(encoding="utf-8")
SEED_004 = (SEEDS / "004_f456acc7e9262ea1.txt").read_text(encoding="utf-8")
HEADER_000 = (
    "ĐẢNG BỘ TỈNH TRÀ VINH",
    "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP",
    "Số 38-KH/ĐUK",
    "Trà Vinh, ngày 08 tháng 11 năm 2021",
)
HEADER_004 = (
    "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
    "ĐẢNG ỦY XÃ HÀM LIÊM",
    "Số     -KH/ĐU",
    "Hàm Liêm, ngày … tháng … năm …",
)


# -- the seeds --------------------------------------------------------------------------------


def test_seed_000_in_word_imports_like_its_text_twin() -> None:
    parsed = parse_docx(seed_docx(SEED_000, header=HEADER_000))
    twin = parse(SEED_000).draft
    assert parsed.draft == twin
    # Spelled out, so a failure shows which part differs.
    assert parsed.draft.summary_lines == twin.summary_lines and len(twin.summary_lines) == 3
    assert parsed.draft.body.split("\n\n") == twin.body.split("\n\n")
    assert "(*gọi tắt là Nghị quyết số 06-NQ/TU của Tỉnh ủy*)" in parsed.draft.body
    assert parsed.draft.recipient_lines == twin.recipient_lines
    assert parsed.draft.signer_name == "Phạm Phước Trãi"
    assert parsed.notes == (
        "paragraph 1 (table 1, row 1, cell 1): header line 'ĐẢNG BỘ TỈNH TRÀ VINH' dropped: "
        "the header is printed from the organisation's settings",
        "paragraph 2 (table 1, row 1, cell 1): header line 'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP' "
        "dropped: the header is printed from the organisation's settings",
        "paragraph 3 (table 1, row 1, cell 1): header line '*' dropped: the header is printed from the "
        "organisation's settings",
        "paragraph 4 (table 1, row 1, cell 1): number 'Số 38-KH/ĐUK' dropped: the official number is "
        "assigned at issuance",
        "paragraph 5 (table 1, row 1, cell 2): header line 'ĐẢNG CỘNG SẢN VIỆT NAM' dropped: the header is "
        "printed from the organisation's settings",
        "paragraph 6 (table 1, row 1, cell 2): date 'Trà Vinh, ngày 08 tháng 11 năm 2021' dropped: the date "
        "is set at signing",
        "paragraph 10: separator '-----' dropped: the renderer draws it",
    )


@pytest.mark.parametrize("real_footnotes", [True, False], ids=["word-footnotes", "typed-footnotes"])
def test_seed_004_in_word_imports_like_its_text_twin(real_footnotes: bool) -> None:
    data = seed_docx(SEED_004, header=HEADER_004, real_footnotes=real_footnotes, bold_summary=False)
    parsed = parse_docx(data)
    twin = parse(SEED_004).draft
    assert parsed.draft == twin
    assert parsed.draft.footnotes == twin.footnotes and len(twin.footnotes) == 2
    assert "trên địa bàn xã Hàm Liêm¹, cụ thể như sau:" in parsed.draft.body
    assert parsed.draft.recipient_lines[0] == ("Thường trực Tỉnh ủy", "báo cáo")
    assert (parsed.draft.sign_form, parsed.draft.sign_title) == ("T/M", "PHÓ BÍ THƯ THƯỜNG TRỰC")
    # The glued "Thư" of the extract is dropped and reported at its Word paragraph.
    assert parsed.notes[-1].endswith(
        "(table 2, row 1, cell 1): text 'Thư' glued after the final '.' dropped: extraction noise"
    )


def test_real_footnotes_are_numbered_by_their_first_reference() -> None:
    data = seed_docx(SEED_004, header=HEADER_004)
    assert b"footnotes.xml" in data
    draft = parse_docx(data).draft
    assert draft.footnotes[1] == "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT."
    assert "đều tham gia Bảo hiểm y tế²." in draft.body


# -- small Word documents -----------------------------------------------------------------------


def _docx(
    body: Callable[[DocumentObject], None], *, tail: Callable[[DocumentObject], None] | None = None
) -> bytes:
    """KẾ HOẠCH, a title, `body`, then the Nơi nhận / signature table and `tail`."""
    document = Document()
    document.add_paragraph("KẾ HOẠCH").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("Tên kế hoạch").alignment = WD_ALIGN_PARAGRAPH.CENTER
    body(document)
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = "Nơi nhận:"
    left.add_paragraph("- Lưu VP.")
    right.paragraphs[0].text = "T/M BAN THƯỜNG VỤ"
    right.add_paragraph("BÍ THƯ")
    right.add_paragraph("")
    right.add_paragraph("Nguyễn Văn A")
    if tail is not None:
        tail(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_bold_and_italic_runs_become_markup_and_heading_bold_does_not() -> None:
    def body(document: DocumentObject) -> None:
        document.add_paragraph().add_run("I- MỤC ĐÍCH").bold = True
        p = document.add_paragraph("Có ")
        p.add_run("chữ đậm").bold = True
        p.add_run(" và ")
        p.add_run("nghiêng ").italic = True
        run = p.add_run("cả hai")
        run.bold = run.italic = True
        p.add_run(".")

    draft = parse_docx(_docx(body)).draft
    assert draft.body == "I- MỤC ĐÍCH\n\nCó **chữ đậm** và *nghiêng* ***cả hai***."
    assert (draft.recipient_lines, draft.sign_title, draft.signer_name) == (
        (("Lưu VP", ""),),
        "BÍ THƯ",
        "Nguyễn Văn A",
    )


def test_automatic_lists_are_written_out() -> None:
    def body(document: DocumentObject) -> None:
        document.add_paragraph("Mở đầu.")
        document.add_paragraph("Một ý", style="List Bullet")
        document.add_paragraph("Hai ý", style="List Bullet")
        document.add_paragraph("Việc thứ nhất.", style="List Number")
        document.add_paragraph("Việc thứ hai.", style="List Number")

    draft = parse_docx(_docx(body)).draft
    assert draft.body.split("\n\n") == [
        "Mở đầu.",
        "- Một ý",
        "- Hai ý",
        "1. Việc thứ nhất.",
        "2. Việc thứ hai.",
    ]


def test_title_in_several_centred_paragraphs_and_caps_formatting() -> None:
    document = Document()
    kind = document.add_paragraph()
    kind.add_run("Kế hoạch").font.all_caps = True
    for line in ("Dòng một", "Dòng hai"):
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("Nội dung.")
    out = io.BytesIO()
    document.save(out)
    parsed = parse_docx(out.getvalue())
    assert parsed.draft.summary_lines == ("Dòng một", "Dòng hai")
    assert parsed.draft.body == "Nội dung."
    assert parsed.notes == (
        "paragraph 4: no signature block found",
        "end of document: no 'Nơi nhận:' list found",
    )


def test_tracked_changes_hyperlinks_and_line_breaks() -> None:
    def body(document: DocumentObject) -> None:
        p = document.add_paragraph("Giữ ")
        p._p.append(
            parse_xml(f'<w:ins xmlns:w="{W}" w:id="1" w:author="x"><w:r><w:t>thêm</w:t></w:r></w:ins>')
        )
        p._p.append(
            parse_xml(
                f'<w:del xmlns:w="{W}" w:id="2" w:author="x"><w:r><w:delText>bỏ</w:delText></w:r></w:del>'
            )
        )
        p._p.append(
            parse_xml(
                f'<w:hyperlink xmlns:w="{W}"><w:r><w:t xml:space="preserve"> liên kết</w:t></w:r>'
                "</w:hyperlink>"
            )
        )
        p.add_run().add_break()
        p.add_run("- dòng mới.")

    assert parse_docx(_docx(body)).draft.body == "Giữ thêm liên kết\n\n- dòng mới."


def test_what_has_no_place_in_a_plan_is_reported_with_its_paragraph() -> None:
    def body(document: DocumentObject) -> None:
        document.add_paragraph("Nội dung.")
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Ô một."
        table.rows[0].cells[1].text = "Ô hai."
        p = document.add_paragraph("Hình: ")
        p._p.append(
            parse_xml(
                f'<w:r xmlns:w="{W}"><w:pict><w:txbxContent><w:p><w:r><w:t>Chữ trong hộp</w:t></w:r></w:p>'
                "</w:txbxContent></w:pict></w:r>"
            )
        )

    def tail(document: DocumentObject) -> None:
        document.add_paragraph("TM/15b")

    parsed = parse_docx(_docx(body, tail=tail))
    assert parsed.draft.body == "Nội dung.\n\nÔ một.\n\nÔ hai.\n\nHình:"
    assert parsed.draft.signer_name == "Nguyễn Văn A"
    assert parsed.notes == (
        "paragraph 4 (table 1, row 1, cell 1): a table in the body was read cell by cell as paragraphs",
        "paragraph 6: text box 'Chữ trong hộp' dropped: put its text in a paragraph",
        "paragraph 13: text 'TM/15b' after the signature block dropped",
    )


def test_not_a_plan_is_refused_with_its_paragraph() -> None:
    document = Document()
    document.add_paragraph("")
    document.add_paragraph("Công văn về việc khác")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(Invalid) as caught:
        parse_docx(out.getvalue())
    assert caught.value.field == "document"
    assert caught.value.reason == (
        "paragraph 2: no type line (KẾ HOẠCH, QUYẾT ĐỊNH, THÔNG BÁO, …) "
        "and no trích yếu 'V/v …' under the number found"
    )


def _zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return out.getvalue()


@pytest.mark.parametrize(
    "data", [b"", b"plain text", b"PK\x03\x04broken", SEED_000.encode(), _zip_without_word()]
)
def test_not_a_docx_is_refused(data: bytes) -> None:
    with pytest.raises(Invalid) as caught:
        parse_docx(data)
    assert caught.value.reason.startswith("not a Word .docx file")
