"""Both seeds round-trip: parse, build the document view, render to text, parse again.

Everything comes back in order (title lines, every heading, paragraph and bullet, footnotes,
recipient lines with their annotations, the signature block), and both readings match an
outline of each seed written here by hand from the seed text, not produced by the parser.
The text rendering is plain text: emphasis (`*…*`, `**…**`) is compared without its markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from documents.markup import split_blocks, to_plain
from documents.plain_text import parse
from documents.render import DocumentView, render_text
from models.content import Draft
from tests.documents.seeds import SEED_000, SEED_004, draft, view_000, view_004


@dataclass(frozen=True)
class Outline:
    summary_lines: tuple[str, ...]
    headings: tuple[str, ...]  # every level-1 heading, in order
    first_subheading: str | None
    last_subheading: str | None
    subheadings: int
    bullets: int
    numbered_paragraphs: int  # "1. …" items written as running text
    first_paragraph_starts: str
    last_paragraph_starts: str
    mended: str  # a sentence a page break had split, read as one
    footnotes_start: tuple[str, ...]
    recipients: tuple[tuple[str, str], ...]
    signature: tuple[str, str, str, str]  # form, collective, title, name


OUTLINE_000 = Outline(
    summary_lines=(
        "Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy",
        "về tiếp tục phát triển toàn diện vùng đồng bào dân tộc Khmer",
        "giai đoạn 2021 - 2025, định hướng đến năm 2030",
    ),
    headings=("I- MỤC ĐÍCH, YÊU CẦU", "II- NHIỆM VỤ, GIẢI PHÁP", "III- TỔ CHỨC THỰC HIỆN"),
    first_subheading=None,
    last_subheading=None,
    subheadings=0,
    bullets=10,  # 2 under I, 8 under II.2
    numbered_paragraphs=7,  # II.1–5, III.1–2
    first_paragraph_starts="Thực hiện Nghị quyết số 06-NQ/TU, ngày 08/10/2021 của Tỉnh ủy về tiếp tục",
    last_paragraph_starts="2. Các Ban tham mưu giúp việc Đảng ủy Khối",
    mended="thường xuyên tham mưu cho Tỉnh ủy, Ủy ban nhân dân tỉnh",
    footnotes_start=(),
    recipients=(
        ("Thường trực Tỉnh ủy", ""),
        ("Ban Tuyên giáo Tỉnh ủy", ""),
        ("Đ/c Nguyễn Văn Triết, UVTV.TU, Chủ tịch Ủy ban MTTQ tỉnh", ""),
        ("Các đ/c UVBCH Đảng bộ Khối", ""),
        ("Các chi bộ, đảng bộ cơ sở", ""),
        ("Các Ban Đảng và Đoàn thể trực thuộc", ""),
        ("Lưu Văn phòng, Ban Tuyên giáo ĐUK", ""),
    ),
    signature=("T/M", "BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Phước Trãi"),
)

OUTLINE_004 = Outline(
    summary_lines=(
        "Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về tăng cường sự lãnh đạo của Đảng "
        "đối với công tác dân tộc giai đoạn 2026 - 2030",
    ),
    headings=(
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. MỤC TIÊU",
        "III. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU",
        "IV. TỔ CHỨC THỰC HIỆN",
    ),
    first_subheading="1. Mục đích",
    last_subheading="7. Giữ vững quốc phòng, an ninh và trật tự an toàn xã hội",
    subheadings=11,  # I.1–2, II.1–2, III.1–7
    bullets=31,  # I.1: 3, I.2: 3, II.2: 5, III.1: 3, III.2: 4, III.3: 4, III.4: 3, III.6: 3, III.7: 3
    numbered_paragraphs=3,  # IV.1–3
    first_paragraph_starts="Thực hiện Nghị quyết số 12-NQ/TU, ngày 12/5/2026 của Tỉnh ủy về tăng cường",
    last_paragraph_starts="Trên đây là Kế hoạch triển khai thực hiện Nghị quyết số 12-NQ/TU",
    mended="đối với công tác dân tộc giai đoạn 2026 – 2030 của Ban Thường vụ Đảng ủy xã",
    footnotes_start=(
        "Hiện nay trên địa bàn xã có 31.595 khẩu/8.137 hộ",
        "Hiện nay có 03/21 hộ DTTS chưa tham gia BHYT.",
    ),
    recipients=(
        ("Thường trực Tỉnh ủy", "báo cáo"),
        ("Thường trực Đảng ủy", ""),
        ("Đảng ủy UBND xã", ""),
        ("Các cơ quan tham mưu, giúp việc của Đảng ủy", ""),
        ("Mặt trận Tổ quốc Việt Nam và các tổ chức chính trị - xã hội xã", ""),
        ("Các tổ chức cơ sở Đảng trực thuộc Đảng ủy", ""),
        ("Lưu Văn phòng Đảng ủy", ""),
    ),
    signature=("T/M", "BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC", "Phan Minh Quảng"),
)

# What the second reading may drop: the printed header, number, date, separators, version line.
_EXPECTED_NOTES = re.compile(
    r"^line \d+: (header line '.*' dropped|number '.*' dropped|date '.*' dropped|"
    r"separator '[-_]+' dropped|'Mã phiên bản: [0-9a-f]+' dropped)"
)


def _blocks(d: Draft) -> list[tuple[str, str]]:
    return [(b.kind, to_plain(b.text)) for b in split_blocks(d.body)]


def _signature(d: Draft) -> tuple[str, str, str, str]:
    return (d.sign_form, d.sign_collective, d.sign_title, d.signer_name)


def _matches_outline(d: Draft, outline: Outline) -> None:
    blocks = _blocks(d)
    assert d.summary_lines == outline.summary_lines
    assert d.title == " ".join(outline.summary_lines)
    assert tuple(text for kind, text in blocks if kind == "heading1") == outline.headings
    subheadings = [text for kind, text in blocks if kind == "heading2"]
    assert len(subheadings) == outline.subheadings
    assert (subheadings[0] if subheadings else None) == outline.first_subheading
    assert (subheadings[-1] if subheadings else None) == outline.last_subheading
    assert sum(kind == "bullet" for kind, _ in blocks) == outline.bullets
    numbered = sum(kind == "paragraph" and text[:1].isdigit() for kind, text in blocks)
    assert numbered == outline.numbered_paragraphs
    assert blocks[0][0] == "paragraph" and blocks[0][1].startswith(outline.first_paragraph_starts)
    assert blocks[-1][1].startswith(outline.last_paragraph_starts)
    assert sum(outline.mended in text for _, text in blocks) == 1
    assert len(d.footnotes) == len(outline.footnotes_start)
    for text, start in zip(d.footnotes, outline.footnotes_start, strict=True):
        assert text.startswith(start)
    assert d.recipient_lines == outline.recipients
    assert _signature(d) == outline.signature


CASES = [
    pytest.param(SEED_000, view_000, OUTLINE_000, id="seed-000"),
    pytest.param(SEED_004, view_004, OUTLINE_004, id="seed-004"),
]


@pytest.mark.parametrize("state_layout", [False, True], ids=["party", "state"])
@pytest.mark.parametrize(("seed", "make_view", "outline"), CASES)
def test_seed_round_trips_through_the_text_rendering(
    seed: Path, make_view: Callable[[], DocumentView], outline: Outline, state_layout: bool
) -> None:
    first = draft(seed)
    _matches_outline(first, outline)

    view = make_view()
    if state_layout:
        view = replace(view, party=False, symbol="", org_code="UBND")
    text = render_text(view)
    again = parse(text)
    second = again.draft

    assert second.summary_lines == first.summary_lines and second.title == first.title
    assert _blocks(second) == _blocks(first)  # every heading, paragraph and bullet, in order
    assert tuple(map(to_plain, second.footnotes)) == tuple(map(to_plain, first.footnotes))
    assert second.recipient_lines == first.recipient_lines
    assert _signature(second) == _signature(first)
    _matches_outline(second, outline)
    unexpected = [note for note in again.notes if not _EXPECTED_NOTES.match(note)]
    assert unexpected == []
    # The markers stay where they were: the same superscripts in the same paragraphs.
    markers = [re.findall("[¹²³⁴⁵⁶⁷⁸⁹⁰]+", t) for _, t in _blocks(second)]
    assert markers == [re.findall("[¹²³⁴⁵⁶⁷⁸⁹⁰]+", t) for _, t in _blocks(first)]


def test_the_second_reading_reports_what_the_rendering_added() -> None:
    notes = parse(render_text(view_004())).notes
    assert any("separator '______' dropped" in n for n in notes)  # the footnote rule
    assert any("separator '-----' dropped" in n for n in notes)  # under the title
    assert notes[-1].endswith("'Mã phiên bản: a1b2c3d4e5f6' dropped: the version hash comes from the content")
