"""The plain-text importer on the two seed plans and on small hand-written inputs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from documents.markup import split_blocks
from documents.plain_text import ParsedText, parse
from models.errors import Invalid

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"  # copies of ../shared/seeds
SEED_000 = SEEDS / "000_c7129e358e0d37a5.txt"
SEED_004 = SEEDS / "004_f456acc7e9262ea1.txt"


def _parse(path: Path) -> ParsedText:
    return parse(path.read_text(encoding="utf-8"))


def _paragraphs(parsed: ParsedText) -> list[str]:
    return parsed.draft.body.split("\n\n")


def _headings(parsed: ParsedText) -> list[str]:
    return [b.text for b in split_blocks(parsed.draft.body) if b.kind == "heading1"]


# -- seed 000 (Trà Vinh, 2021) ------------------------------------------------------------


def test_seed_000_title_keeps_the_authors_line_breaks() -> None:
    draft = _parse(SEED_000).draft
    assert draft.summary_lines == (
        "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy",
        "về tiếp tục phát triển toàn diện vùng đồng bào dân tộc Khmer",
        "giai đoạn 2021 - 2025, định hướng đến năm 2030",
    )
    assert draft.title == (
        "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy về tiếp tục phát triển toàn diện "
        "vùng đồng bào dân tộc Khmer giai đoạn 2021 - 2025, định hướng đến năm 2030"
    )


def test_seed_000_body() -> None:
    parsed = _parse(SEED_000)
    paragraphs = _paragraphs(parsed)
    assert len(paragraphs) == 21
    assert paragraphs[0].startswith("Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy")
    assert "(*gọi tắt là Nghị quyết số 06-NQ/TU của Tỉnh ủy*)" in paragraphs[0]  # italics kept as typed
    assert paragraphs[-1].startswith("2. Các Ban tham mưu giúp việc Đảng ủy Khối")
    assert _headings(parsed) == ["I- MỤC ĐÍCH, YÊU CẦU", "II- NHIỆM VỤ, GIẢI PHÁP", "III- TỔ CHỨC THỰC HIỆN"]
    # The page break after "tham mưu" (lines 26-28) is mended into one paragraph.
    assert (
        "phối hợp với thủ trưởng cơ quan, đơn vị thường xuyên tham mưu cho Tỉnh ủy, Ủy ban nhân dân tỉnh "
        "trong quá trình thực hiện" in parsed.draft.body
    )
    # Consecutive bullet lines (30-37) become one paragraph each.
    bullets = [p for p in paragraphs if p.startswith("- ")]
    assert len(bullets) == 10
    assert "“*Trọng dân, gần dân, hiểu dân, học dân, có trách nhiệm với dân*”" in parsed.draft.body
    assert "Nơi nhận" not in parsed.draft.body and "Số 38" not in parsed.draft.body
    assert parsed.draft.footnotes == ()


def test_seed_000_recipients_and_signature() -> None:
    draft = _parse(SEED_000).draft
    assert draft.recipient_lines == (
        ("Thường trực Tỉnh ủy", ""),
        ("Ban Tuyên giáo Tỉnh ủy", ""),
        ("Đ/c Nguyễn Văn Triết, UVTV.TU, Chủ tịch Ủy ban MTTQ tỉnh", ""),
        ("Các đ/c UVBCH Đảng bộ Khối", ""),
        ("Các chi bộ, đảng bộ cơ sở", ""),
        ("Các Ban Đảng và Đoàn thể trực thuộc", ""),
        ("Lưu Văn phòng, Ban Tuyên giáo ĐUK", ""),
    )
    assert (draft.sign_form, draft.sign_collective, draft.sign_title, draft.signer_name) == (
        "T/M",
        "BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ",
        "Phạm Phước Trãi",
    )


def test_seed_000_notes_report_the_header_number_and_date() -> None:
    assert _parse(SEED_000).notes == (
        "line 3: date 'Trà Vinh, ngày 08 tháng 11 năm 2021' dropped: the date is set at signing",
        "line 5: header line '*' dropped: the header is printed from the organisation's settings",
        "line 6: number 'Số 38 -KH/ĐUK' dropped: the official number is assigned at issuance",
        "line 28: joined to the paragraph above: a page break had split the sentence",
    )


# -- seed 004 (Hàm Liêm, 2026) -------------------------------------------------------------

FOOTNOTE_1 = (
    "Hiện nay trên địa bàn xã có 31.595 khẩu/8.137 hộ, trong đó đồng bào dân tộc thiểu số 24 hộ/51 khẩu, "
    "chiếm 1,6% dân số, chủ yếu là đồng bào Chăm 07 hộ/10 khẩu, dân tộc Tày 06 hộ/07 khẩu, dân tộc Rai "
    "05 hộ/19 khẩu, dân tộc Hoa 04 hộ/10 khẩu, dân tộc Cờ Ho 01 hộ/04 khẩu, dân tộc Thái 01 hộ/01 khẩu, "
    "số hộ đồng bào dân tộc thiểu số (DTTS) sống xen kẽ trong cộng đồng dân cư và sản xuất nông nghiệp "
    "là chủ yếu."
)
FOOTNOTE_2 = "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT."


def test_seed_004_title_and_body() -> None:
    parsed = _parse(SEED_004)
    draft = parsed.draft
    title = (
        "Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về tăng cường sự lãnh đạo của Đảng "
        "đối với công tác dân tộc giai đoạn 2026 - 2030"
    )
    assert draft.summary_lines == (title,)
    assert draft.title == title
    paragraphs = _paragraphs(parsed)
    assert len(paragraphs) == 53
    assert _headings(parsed) == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU",
        "IV. TỔ CHỨC THỰC HIỆN",
    ]
    sub_headings = [b.text for b in split_blocks(draft.body) if b.kind == "heading2"]
    assert sub_headings[0] == "1. Mục đích"
    assert sub_headings[-1] == "7. Giữ vững quốc phòng, an ninh và trật tự an toàn xã hội"
    # The closing paragraph was split by a page break after "dân" (lines 109-111).
    assert paragraphs[-1] == (
        "Trên đây là Kế hoạch triển khai thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về "
        "tăng cường sự lãnh đạo của Đảng đối với công tác dân tộc giai đoạn 2026 – 2030 của Ban Thường vụ "
        "Đảng ủy xã. Trong quá trình triển khai thực hiện nếu có khó khăn, vướng mắc kịp thời báo cáo về Ban "
        "Thường vụ Đảng ủy (qua Ban Xây dựng Đảng) để được xem xét, giải quyết."
    )
    assert "(*khi được tỉnh giao*)" in draft.body


def test_seed_004_footnotes_leave_the_flow_and_markers_stay() -> None:
    draft = _parse(SEED_004).draft
    assert draft.footnotes == (FOOTNOTE_1, FOOTNOTE_2)
    assert "trên địa bàn xã Hàm Liêm¹, cụ thể như sau:" in draft.body
    assert "đều tham gia Bảo hiểm y tế²." in draft.body
    assert "31.595" not in draft.body and "03/21" not in draft.body
    paragraphs = draft.body.split("\n\n")
    # The footnote that sat between two bullets (line 55) no longer separates them.
    first = paragraphs.index(
        "- Đổi mới nội dung, phương thức tuyên truyền, vận động theo hướng thiết thực, phù hợp với đặc điểm, "
        "phong tục, tập quán của từng dân tộc."
    )
    assert paragraphs[first + 1].startswith("- Tập trung triển khai Kế hoạch số 60-KH/TU")


def test_seed_004_recipients_and_signature() -> None:
    draft = _parse(SEED_004).draft
    assert draft.recipient_lines == (
        ("Thường trực Tỉnh ủy", "báo cáo"),
        ("Thường trực Đảng ủy", ""),
        ("Đảng ủy UBND xã", ""),
        ("Các cơ quan tham mưu, giúp việc của Đảng ủy", ""),
        ("Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội xã", ""),
        ("Các tổ chức cơ sở Đảng trực thuộc Đảng ủy", ""),
        ("Lưu Văn phòng Đảng ủy", ""),
    )
    assert (draft.sign_form, draft.sign_collective, draft.sign_title, draft.signer_name) == (
        "T/M",
        "BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ THƯỜNG TRỰC",
        "Phan Minh Quảng",
    )


def test_seed_004_notes_report_the_glued_garbage() -> None:
    assert _parse(SEED_004).notes == (
        "line 111: joined to the paragraph above: a page break had split the sentence",
        "line 121: text 'Thư' glued after the final '.' dropped: extraction noise",
    )


# -- small inputs ----------------------------------------------------------------------------

MINIMAL = """\
KẾ HOẠCH

Tên kế hoạch

Nội dung.

Nơi nhận:
- Lưu VP.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Nguyễn Văn A
"""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("", 1),
        ("\n   \n\t\n", 1),
        ("\n\nTên kế hoạch\n\nNội dung.\n", 3),
        ("\nKẾ HOẠCH\n\n", 2),
        ("KẾ HOẠCH\n\nTên\n\nNơi nhận:\n- Lưu VP.\n", 5),
    ],
)
def test_bad_input_raises_invalid_with_a_line_number(text: str, line: int) -> None:
    with pytest.raises(Invalid) as caught:
        parse(text)
    assert caught.value.field == "document"
    assert caught.value.reason.startswith(f"line {line}: ")


def test_minimal_plan_has_no_notes() -> None:
    parsed = parse(MINIMAL)
    assert parsed.notes == ()
    assert parsed.draft.title == "Tên kế hoạch"
    assert parsed.draft.body == "Nội dung."
    assert parsed.draft.recipient_lines == (("Lưu VP", ""),)
    assert parsed.draft.sign_title == "BÍ THƯ"


def test_html_and_jinja_are_kept_as_text() -> None:
    text = MINIMAL.replace("Tên kế hoạch", "<script>alert(1)</script>{{ 7*7 }}").replace(
        "Nội dung.", "Xem <b>đây</b> {% if x %}{{ y }}{% endif %}."
    )
    draft = parse(text).draft
    assert draft.title == "<script>alert(1)</script>{{ 7*7 }}"
    assert draft.body == "Xem <b>đây</b> {% if x %}{{ y }}{% endif %}."


def test_text_is_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", MINIMAL)
    assert decomposed != MINIMAL
    draft = parse(decomposed).draft
    assert draft.title == "Tên kế hoạch"
    assert draft.signer_name == "Nguyễn Văn A"


def test_bold_title_over_several_lines_and_a_separator() -> None:
    text = MINIMAL.replace("Tên kế hoạch", "**Dòng một\nDòng hai**\n\n-----")
    parsed = parse(text)
    assert parsed.draft.summary_lines == ("Dòng một", "Dòng hai")
    assert parsed.draft.title == "Dòng một Dòng hai"
    assert parsed.notes == ("line 6: separator '-----' dropped: the renderer draws it",)


@pytest.mark.parametrize(
    ("authority", "form", "collective"),
    [
        ("T/M BAN THƯỜNG VỤ", "T/M", "BAN THƯỜNG VỤ"),
        ("K/T BÍ THƯ", "K/T", "BÍ THƯ"),
        ("T/L BAN THƯỜNG VỤ", "T/L", "BAN THƯỜNG VỤ"),
        ("TM. ỦY BAN NHÂN DÂN", "TM.", "ỦY BAN NHÂN DÂN"),
        ("KT. CHỦ TỊCH", "KT.", "CHỦ TỊCH"),
        ("TL. CHỦ TỊCH", "TL.", "CHỦ TỊCH"),
        ("TUQ. CHỦ TỊCH", "TUQ.", "CHỦ TỊCH"),
        ("Q. BÍ THƯ", "Q.", "BÍ THƯ"),
    ],
)
def test_signature_authority_forms(authority: str, form: str, collective: str) -> None:
    draft = parse(MINIMAL.replace("T/M BAN THƯỜNG VỤ", authority)).draft
    assert (draft.sign_form, draft.sign_collective, draft.sign_title) == (form, collective, "BÍ THƯ")


def test_recipient_continuations_annotations_and_state_punctuation() -> None:
    text = MINIMAL.replace(
        "- Lưu VP.",
        "- Bộ Nội vụ (để báo cáo);\n- Đ/c Trần Văn B, Ủy viên,\nTrưởng ban (để biết);\n- Lưu: VT, P.TH.",
    )
    assert parse(text).draft.recipient_lines == (
        ("Bộ Nội vụ", "để báo cáo"),
        ("Đ/c Trần Văn B, Ủy viên, Trưởng ban", "để biết"),
        ("Lưu: VT, P.TH", ""),
    )


def test_footnote_problems_are_reported() -> None:
    text = MINIMAL.replace("Nội dung.", "Nội dung¹ và số liệu³.\n\n² Chú thích không có dấu.")
    parsed = parse(text)
    assert parsed.draft.footnotes == ("Chú thích không có dấu.",)
    assert parsed.notes == (
        "line 5: marker ¹ has no footnote text",
        "line 5: marker ³ has no footnote text",
        "line 7: footnote ² is footnote ¹ in order; footnotes are numbered by their order",
        "line 7: footnote ² has no marker in the body",
    )


def test_page_break_with_a_footnote_in_between_is_mended() -> None:
    cut = "Các chi bộ, đảng bộ cơ sở tổ chức quán triệt nội dung kế hoạch này đến toàn thể đảng viên¹"
    text = MINIMAL.replace("Nội dung.", f"{cut}\n\n¹ Chú thích.\n\ntiếp tục ở trang sau.")
    parsed = parse(text)
    assert parsed.draft.body == f"{cut} tiếp tục ở trang sau."
    assert parsed.draft.footnotes == ("Chú thích.",)
    assert parsed.notes == ("line 9: joined to the paragraph above: a page break had split the sentence",)


def test_other_header_lines_are_reported() -> None:
    text = "ĐẢNG BỘ TỈNH LÂM ĐỒNG\nĐẢNG ỦY XÃ HÀM LIÊM\nSố: 12/KH-UBND\nĐẢNG CỘNG SẢN VIỆT NAM\n\n" + MINIMAL
    assert parse(text).notes == (
        "line 1: header line 'ĐẢNG BỘ TỈNH LÂM ĐỒNG' dropped: the header is printed from the organisation's "
        "settings",
        "line 2: header line 'ĐẢNG ỦY XÃ HÀM LIÊM' dropped: the header is printed from the organisation's "
        "settings",
        "line 3: number 'Số: 12/KH-UBND' dropped: the official number is assigned at issuance",
        "line 4: header line 'ĐẢNG CỘNG SẢN VIỆT NAM' dropped: the header is printed from the organisation's "
        "settings",
    )


def test_missing_recipient_list_is_reported_and_the_signature_still_found() -> None:
    text = MINIMAL.replace("Nơi nhận:\n- Lưu VP.\n\n", "")
    parsed = parse(text)
    assert parsed.draft.body == "Nội dung."
    assert parsed.draft.recipient_lines == ()
    assert parsed.draft.signer_name == "Nguyễn Văn A"
    assert parsed.notes == ("line 7: no 'Nơi nhận:' list found",)
