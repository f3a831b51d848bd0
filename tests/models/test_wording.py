"""Word-level changes: one changed word is one changed word, not a paragraph replaced."""

from __future__ import annotations

from models.wording import Segment, compare, words

LONG = (
    "- Tổ chức quán triệt, triển khai thực hiện nghiêm túc Chỉ thị số 35-CT/TW của Bộ Chính trị "
    "đến toàn thể cán bộ, đảng viên trong Đảng bộ xã."
)


def test_one_changed_word_in_a_long_paragraph() -> None:
    changes = compare(["I. MỤC ĐÍCH", LONG], ["I. MỤC ĐÍCH", LONG.replace("nghiêm túc", "kịp thời")])
    assert [p.kind for p in changes.paragraphs] == ["same", "changed"]
    segments = changes.paragraphs[1].segments
    changed = [(s.op, s.text.strip()) for s in segments if s.op != "same"]
    assert changed == [("del", "nghiêm túc"), ("add", "kịp thời")]
    assert "".join(s.text for s in segments if s.op != "del") == LONG.replace("nghiêm túc", "kịp thời")


def test_added_and_removed_paragraphs_stay_whole() -> None:
    old = ["1. Tuyên truyền", "a) Trên loa truyền thanh.", "b) Trên trang thông tin."]
    new = [*old[:2], "c) Tại hội nghị chi bộ hằng tháng, mỗi quý một lần."]
    kinds = [p.kind for p in compare(old, new).paragraphs]
    assert kinds == ["same", "same", "removed", "added"]


def test_an_edited_paragraph_among_new_ones_is_paired_with_its_old_self() -> None:
    old = ["II. YÊU CẦU", LONG, "III. TỔ CHỨC THỰC HIỆN"]
    added = "- Bổ sung một yêu cầu mới hoàn toàn khác."
    new = ["II. YÊU CẦU", added, LONG + " Báo cáo trước 30/6.", "III. TỔ CHỨC THỰC HIỆN"]
    changes = compare(old, new)
    assert [p.kind for p in changes.paragraphs] == ["same", "added", "changed", "same"]
    assert changes.paragraphs[2].segments == (Segment("same", LONG), Segment("add", " Báo cáo trước 30/6."))


def test_only_the_changes_with_their_context_and_gaps() -> None:
    old = [f"Đoạn {i}." for i in range(10)]
    new = [*old[:5], "Đoạn 5 đã sửa.", *old[6:]]
    around = compare(old, new).around_changes(context=1)
    assert around[0] is None and around[-1] is None  # the far unchanged paragraphs are left out
    shown = [p for p in around if p is not None]
    assert [p.kind for p in shown] == ["same", "changed", "same"]
    assert not compare(old, old).changed and compare(old, new).changed


def test_words_keep_the_newer_spacing() -> None:
    assert words("a  b c", "a  b d") == (Segment("same", "a  b"), Segment("del", " c"), Segment("add", " d"))
    assert "".join(s.text for s in words("x y", "  x   z") if s.op != "del") == "  x   z"


def test_blank_lines_are_not_added_or_removed_paragraphs() -> None:
    old = ["I. MỤC ĐÍCH", "", LONG]
    new = ["I. MỤC ĐÍCH", "", LONG, "", "", "3. Sơ kết vào quý IV."]
    paragraphs = compare(old, new).paragraphs
    assert [(p.kind, "".join(s.text for s in p.segments)) for p in paragraphs if p.kind != "same"] == [
        ("added", "3. Sơ kết vào quý IV.")
    ]
    assert all(s.text.strip() for p in paragraphs for s in p.segments if s.op != "same")
