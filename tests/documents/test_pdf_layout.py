"""The official PDF of each seed, read back with pypdf: text in order, every font embedded, and
the layout of vn-documents.md §7 measured from where the text lands on the page."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pypdf
import pytest
from docx.shared import Pt

from documents.docx_parts import text_width
from documents.render import render_pdf
from tests.documents.seeds import view_000, view_004

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, RIGHT = 30 * MM, PAGE_W - 15 * MM  # the text area between the margins
CENTRE = (LEFT + RIGHT) / 2


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    font: str


@pytest.fixture(scope="module")
def pdf_000() -> bytes:
    return render_pdf(view_000())


@pytest.fixture(scope="module")
def pdf_004() -> bytes:
    return render_pdf(view_004())


def _page_texts(page: pypdf.PageObject) -> list[Text]:
    found: list[Text] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
            found.append(Text(x, y, text.strip(), name.split("+")[-1]))

    page.extract_text(visitor_text=visit)
    return found


def _pages(pdf: bytes) -> list[list[Text]]:
    return [_page_texts(page) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _find(items: list[Text], start: str) -> Text:
    match = next((t for t in items if t.text.startswith(start)), None)
    assert match is not None, f"{start!r} not on the page: {[t.text for t in items][:40]}"
    return match


def _in_order(text: str, expected: list[str]) -> None:
    position = 0
    for item in expected:
        found = text.find(item, position)
        assert found >= 0, f"{item!r} not found after position {position}: {text[position : position + 80]!r}"
        position = found + len(item)


def test_text_order_seed_000(pdf_000: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_000))
    text = "\n".join(page.extract_text() for page in reader.pages)
    _in_order(
        text,
        [
            "ĐẢNG BỘ TỈNH TRÀ VINH",
            # Too long for the header column: broken before "VÀ" and between words, never inside one.
            "ĐẢNG ỦY KHỐI\nCÁC CƠ QUAN\nVÀ DOANH NGHIỆP",
            "*",
            "Số 38-KH/ĐUK",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Trà Vinh, ngày 08 tháng 11 năm 2021",
            "KẾ HOẠCH",
            "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy",
            "giai đoạn 2021 - 2025, định hướng đến năm 2030",
            "-----",
            "I- MỤC ĐÍCH, YÊU CẦU",
            "II- NHIỆM VỤ, GIẢI PHÁP",
            "III- TỔ CHỨC THỰC HIỆN",
            "Nơi nhận:",
            "- Thường trực Tỉnh ủy,",
            "- Lưu Văn phòng, Ban Tuyên giáo ĐUK.",
            "T/M BAN THƯỜNG VỤ",
            "PHÓ BÍ THƯ",
            "Phạm Phước Trãi",
        ],
    )


def test_text_order_seed_004(pdf_004: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf_004))
    text = "\n".join(page.extract_text() for page in reader.pages)
    _in_order(
        text,
        [
            "ĐẢNG BỘ TỈNH LÂM ĐỒNG",
            "ĐẢNG ỦY XÃ HÀM LIÊM",
            "-KH/ĐU",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Hàm Liêm, ngày … tháng … năm …",
            "KẾ HOẠCH",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "1 Hiện nay trên địa bàn xã có 31.595 khẩu/8.137 hộ",  # footnote 1 at the foot of page 1
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


@pytest.mark.parametrize("which", ["pdf_000", "pdf_004"])
def test_every_font_is_embedded(which: str, request: pytest.FixtureRequest) -> None:
    reader = pypdf.PdfReader(io.BytesIO(request.getfixturevalue(which)))
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            fonts[name] = "/FontFile2" in font["/FontDescriptor"].get_object()
    assert fonts and all(fonts.values()), fonts
    assert all("LiberationSerif" in name for name in fonts), fonts


@pytest.mark.parametrize("which", ["pdf_000", "pdf_004"])
def test_layout_of_page_one_and_the_last_page(which: str, request: pytest.FixtureRequest) -> None:
    pages = _pages(request.getfixturevalue(which))
    first, last = pages[0], pages[-1]
    superior = _find(first, "ĐẢNG BỘ TỈNH")
    issuer = _find(first, "ĐẢNG ỦY")
    number = _find(first, "Số")
    party = _find(first, "ĐẢNG CỘNG SẢN VIỆT NAM")
    date = next(t for t in first if ", ngày " in t.text and t.y > party.y - 30 * MM)
    kind = _find(first, "KẾ HOẠCH")
    # Two header columns: the bodies and the number on the left, the Party heading on the right,
    # both starting on the first line; the place and date under the heading, in italics.
    assert superior.x < CENTRE - 20 * MM < party.x
    assert abs(superior.y - party.y) < 2
    assert superior.y > issuer.y > number.y and number.x < CENTRE
    assert party.font == "LiberationSerif-Bold" and issuer.font == "LiberationSerif-Bold"
    assert date.x > CENTRE - 20 * MM and date.y < party.y and date.font == "LiberationSerif-Italic"
    # The bold type name centred across the page, under the header.
    assert kind.font == "LiberationSerif-Bold" and kind.y < number.y
    assert abs(kind.x + text_width("KẾ HOẠCH", Pt(15), bold=True).pt / 2 - CENTRE) < 3
    # No page number on page 1; from page 2 on, centred in the top margin.
    assert all(t.y < PAGE_H - 20 * MM for t in first)
    top = [t for t in pages[1] if t.y > PAGE_H - 20 * MM]
    assert [t.text for t in top] == ["2"] and abs(top[0].x - CENTRE) < 10
    # Nơi nhận bottom left, level with the signing authority; the signature block bottom right.
    label = _find(last, "Nơi nhận:")
    authority = _find(last, "T/M BAN THƯỜNG VỤ")
    signer = next(t for t in last if t.text in {"Phạm Phước Trãi", "Phan Minh Quảng"})
    assert label.x < LEFT + 2 and abs(label.y - authority.y) < 2
    assert authority.x > CENTRE - 20 * MM and signer.x > CENTRE - 20 * MM
    assert signer.y < authority.y - 20 * MM  # room for the signature and seal
    assert authority.font == "LiberationSerif-Bold" and signer.font == "LiberationSerif-Bold"


def test_footnote_sits_at_the_foot_of_its_page(pdf_004: bytes) -> None:
    first = _pages(pdf_004)[0]
    note = _find(first, "Hiện nay trên địa bàn xã có 31.595")
    body = [t for t in first if t.font == "LiberationSerif" and t.y > note.y and t.y < PAGE_H - 60 * MM]
    assert body, "no body text above the footnote"
    assert note.y < 50 * MM  # in the bottom quarter, above the bottom margin
    assert all(t.y > note.y for t in body)
