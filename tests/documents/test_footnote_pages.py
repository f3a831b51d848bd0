"""Each footnote prints at the foot of the page that carries its call, read back page by page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from documents.markup import superscript
from documents.render import DocumentView, render_pdf

FILLER = "Tiếp tục thực hiện có hiệu quả các chương trình phát triển kinh tế - xã hội, bảo đảm an sinh. "
COUNT = 12


def _view(party: bool) -> DocumentView:
    """Calls at every height of the page, footnotes of one to four lines."""
    body = [
        f"{n}. {FILLER * ((n * 3) % 7 + 1)}mốc GỌI{n}Z{superscript(n)} và tiếp theo. {FILLER * (n % 3)}"
        for n in range(1, COUNT + 1)
    ]
    notes = [f"CHÚ{n}Z " + "Số liệu thống kê của xã năm 2025. " * (1 + n % 4) for n in range(1, COUNT + 1)]
    return DocumentView(
        org_name="ỦY BAN NHÂN DÂN XÃ HÀM LIÊM" if not party else "ĐẢNG ỦY XÃ HÀM LIÊM",
        party=party,
        org_code="UBND" if not party else "ĐU",
        summary_lines=("Thử chú thích ở chân trang",),
        body="\n\n".join(body),
        footnotes=tuple(notes),
        recipients=(("Lưu: VT, VP" if not party else "Lưu Văn phòng", "", True),),
        sign_form="TM." if not party else "T/M",
        sign_collective="ỦY BAN NHÂN DÂN" if not party else "BAN THƯỜNG VỤ",
        sign_title="CHỦ TỊCH" if not party else "BÍ THƯ",
        signer_name="Nguyễn Văn A",
    )


@pytest.mark.parametrize("party", [False, True], ids=["state", "party"])
def test_every_footnote_is_on_the_page_of_its_call(party: bool) -> None:
    pages = [
        page.extract_text().replace("\n", " ")
        for page in PdfReader(io.BytesIO(render_pdf(_view(party)))).pages
    ]

    def where(token: str) -> list[int]:
        return [number for number, text in enumerate(pages, start=1) if token in text]

    placed = {n: (where(f"GỌI{n}Z"), where(f"CHÚ{n}Z")) for n in range(1, COUNT + 1)}
    assert all(len(call) == 1 for call, _ in placed.values()), placed
    assert {n: note for n, (call, note) in placed.items() if note != call} == {}, placed
