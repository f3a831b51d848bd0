""" "Như trên" / "Như Điều 3" in Nơi nhận: the addressees named in Kính gửi or in the article."""

from __future__ import annotations

import pytest

from models.addressing import Entry, Route, as_above, resolve
from models.content import RecipientLine

BOOK = {
    e.code: e
    for e in (
        Entry("so-nv", "Sở Nội vụ", "snv@example.vn"),
        Entry("so-tc", "Sở Tài chính", "stc@example.vn", aliases=("STC",)),
        Entry("ubnd-xa", "UBND các xã", "xa@example.vn"),
        Entry("vp", "Văn phòng", "vp@example.vn"),
    )
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Như trên", ""),
        ("như trên;", ""),
        ("Như Điều 3", "3"),
        ("Như điều 3;", "3"),
        ("Như Điều 2 (Sở Nội vụ 3 bản)", "2"),
        ("Sở Nội vụ", None),
        ("Như trên đã nêu thêm", None),
    ],
)
def test_as_above_lines_are_recognised(text: str, expected: str | None) -> None:
    assert as_above(text) == expected


def _emails(lines: tuple[RecipientLine, ...], body: str) -> list[tuple[Route, str | None, str]]:
    return [(r.route, r.unit_code, r.line_text) for r in resolve(lines, BOOK, body)]


def test_as_above_stands_for_the_kinh_gui_addressees() -> None:
    body = "Kính gửi:\n- Sở Nội vụ;\n- Sở Tài chính.\n\nĐề nghị Văn phòng phối hợp."
    lines = (RecipientLine("Như trên"), RecipientLine("Văn phòng", "", "vp"))
    assert _emails(lines, body) == [
        (Route.EMAIL, "so-nv", "Như trên"),
        (Route.EMAIL, "so-tc", "Như trên"),
        (Route.EMAIL, "vp", "Văn phòng"),
    ]


def test_as_above_an_article_stands_for_the_units_it_names() -> None:
    body = (
        "Điều 1. Ban hành kế hoạch.\n\nĐiều 2. Sở Nội vụ theo dõi.\n\n"
        "Điều 3. Chánh Văn phòng, STC và UBND các xã chịu trách nhiệm thi hành."
    )
    assert _emails((RecipientLine("Như Điều 3"),), body) == [
        (Route.EMAIL, "vp", "Như Điều 3"),
        (Route.EMAIL, "so-tc", "Như Điều 3"),
        (Route.EMAIL, "ubnd-xa", "Như Điều 3"),
    ]


def test_without_kinh_gui_as_above_stands_for_the_units_the_text_names() -> None:
    body = "1. Sở Tài chính bảo đảm kinh phí.\n\n2. Sở Nội vụ theo dõi./."
    assert _emails((RecipientLine("Như trên"),), body) == [
        (Route.EMAIL, "so-tc", "Như trên"),
        (Route.EMAIL, "so-nv", "Như trên"),
    ]
