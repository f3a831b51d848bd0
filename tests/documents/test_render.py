"""Rendering the seed plans to HTML, PDF and plain text (real WeasyPrint, no mocks)."""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from documents.plain_text import parse
from documents.render import DocumentView, render_html, render_pdf, render_text
from models.content import Draft

SEEDS = Path(__file__).resolve().parents[2] / "examples" / "seeds"  # copies of ../shared/seeds
HASH = "a1b2c3d4e5f6"


def _draft(name: str) -> Draft:
    return parse((SEEDS / name).read_text(encoding="utf-8")).draft


@pytest.fixture(scope="module")
def view_000() -> DocumentView:
    return DocumentView.from_draft(
        _draft("000_c7129e358e0d37a5.txt"),
        version_hash=HASH,
        org_superior="Đảng bộ tỉnh Trà Vinh",
        org_name="Đảng ủy Khối các cơ quan và doanh nghiệp",
        symbol="Số 38-KH/ĐUK",
        org_code="ĐUK",
        date_line="Trà Vinh, ngày 08 tháng 11 năm 2021",
    )


@pytest.fixture(scope="module")
def view_004() -> DocumentView:
    return DocumentView.from_draft(
        _draft("004_f456acc7e9262ea1.txt"),
        version_hash=HASH,
        org_superior="Đảng bộ tỉnh Lâm Đồng",
        org_name="Đảng ủy xã Hàm Liêm",
        org_code="ĐU",
        place="Hàm Liêm",
    )


# -- HTML --------------------------------------------------------------------------------------


def test_html_seed_000(view_000: DocumentView) -> None:
    html = render_html(view_000)
    assert html.startswith("<!DOCTYPE html>")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in html
    assert "Số 38-KH/ĐUK" in html and "Trà Vinh, ngày 08 tháng 11 năm 2021" in html
    assert '<h1 class="type">KẾ HOẠCH</h1>' in html
    assert (
        "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy<br>\n"
        "về tiếp tục phát triển toàn diện vùng đồng bào dân tộc Khmer<br>\n"
        "giai đoạn 2021 - 2025, định hướng đến năm 2030"
    ) in html
    assert '<p class="h1">I- MỤC ĐÍCH, YÊU CẦU</p>' in html
    assert '<p class="h1">III- TỔ CHỨC THỰC HIỆN</p>' in html
    assert html.count('<p class="bullet">') == 10
    assert "(<em>gọi tắt là Nghị quyết số 06-NQ/TU của Tỉnh ủy</em>)" in html
    assert "*" not in html.split('<div class="body">')[1].split("</div>")[0]
    recipients = re.findall(r'<div class="rcp[^"]*">(.*?)</div>', html)
    assert recipients == [
        "- Thường trực Tỉnh ủy,",
        "- Ban Tuyên giáo Tỉnh ủy,",
        "- Đ/c Nguyễn Văn Triết, UVTV.TU, Chủ tịch Ủy ban MTTQ tỉnh,",
        "- Các đ/c UVBCH Đảng bộ Khối,",
        "- Các chi bộ, đảng bộ cơ sở,",
        "- Các Ban Đảng và Đoàn thể trực thuộc,",
        "- Lưu Văn phòng, Ban Tuyên giáo ĐUK.",
    ]
    assert '<div class="auth">T/M BAN THƯỜNG VỤ</div>' in html
    assert '<div class="title">PHÓ BÍ THƯ</div>' in html
    assert '<div class="name">Phạm Phước Trãi</div>' in html
    assert f"Mã phiên bản: {HASH}" in html


def test_html_seed_004_draft_header_and_footnotes(view_004: DocumentView) -> None:
    html = render_html(view_004)
    assert "Số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-KH/ĐU" in html
    assert "Hàm Liêm, ngày … tháng … năm …" in html
    assert 'Hàm Liêm<sup class="fn-ref"><a href="#fn1">1</a></sup>, cụ thể như sau:' in html
    assert 'Bảo hiểm y tế<sup class="fn-ref"><a href="#fn2">2</a></sup>.' in html
    assert '<p id="fn2"><sup>2</sup> Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT.</p>' in html
    assert '<p class="h2">1. Mục đích</p>' in html
    assert "- Thường trực Tỉnh ủy (báo cáo)," in html
    assert "- Lưu Văn phòng Đảng ủy.</div>" in html
    assert '<div class="title">PHÓ BÍ THƯ THƯỜNG TRỰC</div>' in html


def test_html_escapes_user_text(view_004: DocumentView) -> None:
    evil = "<script>alert(1)</script>{{ 7*7 }}"
    view = replace(
        view_004,
        summary_lines=(evil,),
        body=f"{evil}\n\n- **đậm** <b>x</b> {{% raw %}}",
        footnotes=(evil, "x"),
        recipients=((evil, "<i>", False),),
        signer_name=evil,
        org_name='"><img src=x onerror=alert(2)>',
    )
    html = render_html(view)
    assert "<script>" not in html and "<b>x</b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in html
    assert "49" not in html
    assert "<strong>đậm</strong> &lt;b&gt;x&lt;/b&gt; {% raw %}" in html
    paged = render_pdf(replace(view, footnotes=()))  # the paged HTML path renders too
    assert paged.startswith(b"%PDF")


def test_state_header(view_004: DocumentView) -> None:
    view = replace(view_004, party=False, org_code="UBND")
    html = render_html(view)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in html
    assert "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/KH-UBND" in html
    assert "- Thường trực Đảng ủy;" in html


# -- plain text --------------------------------------------------------------------------------


def test_text_rendering(view_000: DocumentView, view_004: DocumentView) -> None:
    text = render_text(view_000)
    assert text.splitlines()[:6] == [
        "ĐẢNG BỘ TỈNH TRÀ VINH",
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP",
        "*",
        "Số 38-KH/ĐUK",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Trà Vinh, ngày 08 tháng 11 năm 2021",
    ]
    assert "(gọi tắt là Nghị quyết số 06-NQ/TU của Tỉnh ủy)" in text
    assert "- Lưu Văn phòng, Ban Tuyên giáo ĐUK.\n\nT/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n\nPhạm Phước Trãi" in text
    text = render_text(view_004)
    assert "Hàm Liêm, ngày … tháng … năm …" in text
    assert "\n² Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT.\n" in text
    assert "- Thường trực Tỉnh ủy (báo cáo),\n" in text
    assert text.endswith(f"Mã phiên bản: {HASH}\n")


# -- PDF ---------------------------------------------------------------------------------------


def _embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name -> whether its program is embedded as TrueType (/FontFile2)."""
    try:
        import pypdf
    except ImportError:
        return _embedded_fonts_raw(pdf)
    import io

    fonts: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            base = str(font["/BaseFont"]).lstrip("/")
            if "/DescendantFonts" in font:
                font = font["/DescendantFonts"][0].get_object()
            fonts[base] = "/FontFile2" in font["/FontDescriptor"].get_object()
    return fonts


def _embedded_fonts_raw(pdf: bytes) -> dict[str, bool]:
    """Without pypdf: inflate every stream (WeasyPrint compresses object streams) and look."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    blob = b"\n".join(chunks)
    names = {m.decode() for m in re.findall(rb"/BaseFont\s*/([\w+\-]+)", blob)}
    embedded = blob.count(b"/FontFile2") >= len({n.split("+")[-1] for n in names})
    return dict.fromkeys(names, embedded)


@pytest.mark.parametrize("which", ["view_000", "view_004"])
def test_pdf_embeds_liberation_serif(which: str, request: pytest.FixtureRequest) -> None:
    pdf = render_pdf(request.getfixturevalue(which))
    assert pdf.startswith(b"%PDF")
    fonts = _embedded_fonts(pdf)
    families = {name.split("+")[-1] for name in fonts}
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= families
    assert all(name.split("+")[-1].startswith("LiberationSerif") for name in fonts), fonts
    assert all(fonts.values()), fonts
