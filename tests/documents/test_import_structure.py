"""The plain-text importer on numbered items, titles over blank lines and multi-line authority blocks."""

from __future__ import annotations

import pytest

from documents.plain_text import parse

PLAN = """\
KẾ HOẠCH

Tên kế hoạch

{body}

Nơi nhận:
- Lưu VP.

{signature}

Nguyễn Văn A
"""


def _plan(body: str, signature: str = "T/M BAN THƯỜNG VỤ\nBÍ THƯ") -> str:
    return PLAN.format(body=body, signature=signature)


def test_lettered_items_under_a_numbered_heading_stay_separate() -> None:
    body = (
        "1. Mục tiêu\n\na) nâng cao nhận thức của cán bộ\n\n"
        "b) bảo đảm kinh phí thực hiện\n\nTổ chức thực hiện."
    )
    parsed = parse(_plan(body))
    assert parsed.draft.body.split("\n\n") == [
        "1. Mục tiêu",
        "a) nâng cao nhận thức của cán bộ",
        "b) bảo đảm kinh phí thực hiện",
        "Tổ chức thực hiện.",
    ]
    assert not any("page break" in note for note in parsed.notes), parsed.notes


@pytest.mark.parametrize("label", ["a)", "đ)", "-", "+", "1.", "1.1.", "II.", "Điều 2."])
def test_nothing_is_joined_across_a_numbering_label(label: str) -> None:
    # The paragraph above is long: a short line alone under the trích yếu would read as its last line.
    above = "Căn cứ tình hình thực tế của địa phương, kế hoạch này đề ra các việc sau và đoạn chưa hết câu"
    body = f"{above}\n\n{label} tiếp theo là một mục\n{label} mục nữa"
    paragraphs = parse(_plan(body)).draft.body.split("\n\n")
    assert paragraphs == [above, f"{label} tiếp theo là một mục", f"{label} mục nữa"]


def test_a_sentence_split_by_a_page_break_is_still_mended() -> None:
    # A paragraph a page break cuts is a long one: a short line alone under the trích yếu is read as its end.
    cut = "Các chi bộ, đảng bộ cơ sở tổ chức quán triệt nội dung kế hoạch này đến toàn thể đảng viên và"
    parsed = parse(_plan(f"{cut}\n\ntiếp tục ở trang sau."))
    assert parsed.draft.body == f"{cut} tiếp tục ở trang sau."


@pytest.mark.parametrize(
    "title",
    [
        "Thực hiện Nghị quyết số 06-NQ/TU\n\nvề phát triển vùng đồng bào dân tộc\n\ngiai đoạn 2021 - 2025",
        "**Thực hiện Nghị quyết số 06-NQ/TU**\n\n**Về phát triển vùng đồng bào dân tộc**\n\n"
        "**giai đoạn 2021 - 2025**",
        "Thực hiện Nghị quyết số 06-NQ/TU\n\nVề phát triển vùng đồng bào dân tộc\n\n"
        "giai đoạn 2021 - 2025\n\n-----",
    ],
)
def test_a_title_over_blank_lines_is_read_whole(title: str) -> None:
    text = _plan("Nội dung kế hoạch.").replace("Tên kế hoạch", title)
    draft = parse(text).draft
    assert [line.lower() for line in draft.summary_lines] == [
        "thực hiện nghị quyết số 06-nq/tu",
        "về phát triển vùng đồng bào dân tộc",
        "giai đoạn 2021 - 2025",
    ]
    assert draft.body == "Nội dung kế hoạch."


def test_a_title_is_not_extended_into_the_body() -> None:
    draft = parse(_plan("Căn cứ Nghị quyết số 06-NQ/TU.\n\nI. MỤC ĐÍCH")).draft
    assert draft.summary_lines == ("Tên kế hoạch",)
    assert draft.body.split("\n\n") == ["Căn cứ Nghị quyết số 06-NQ/TU.", "I. MỤC ĐÍCH"]
