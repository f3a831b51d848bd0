"""Assignments drafted from the seeds' "Tổ chức thực hiện", against lists written by reading them."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from documents.assignments import (
    Cadence,
    DeadlineKind,
    Milestone,
    UnitRef,
    draft_assignments,
    read_deadline,
    resolve_assignments,
    unit_code,
)
from documents.plain_text import parse
from models.addressing import Entry
from models.services.directory import address_book_of
from tests.documents.seeds import SEED_000, SEED_004

EXAMPLES = SEED_000.parents[1]

NONE, DATE, CADENCE, MILESTONE = (
    DeadlineKind.NONE,
    DeadlineKind.DATE,
    DeadlineKind.CADENCE,
    DeadlineKind.MILESTONE,
)
BXDD = "Ban Xây dựng Đảng"
BTG = "Ban Tuyên giáo Đảng ủy Khối"

# Seed 004, IV. TỔ CHỨC THỰC HIỆN, read by hand: (leads, supporting, follower, kind of deadline).
EXPECTED_004 = [
    (("Ủy ban nhân dân xã",), (), BXDD, CADENCE),  # "định kỳ báo cáo kết quả thực hiện về Ban Thường vụ"
    ((BXDD,), ("các cơ quan tham mưu giúp việc", "các đơn vị liên quan"), BXDD, CADENCE),
    (("Ủy ban Mặt trận Tổ quốc", "các tổ chức chính trị - xã hội", "hội quần chúng"), (), BXDD, NONE),
]
# Seed 000, III- TỔ CHỨC THỰC HIỆN: the cells carry it out, the boards inspect, Ban Tuyên giáo
# follows and prepares the sơ kết and tổng kết.
EXPECTED_000 = [
    (("Cấp ủy các chi bộ, đảng bộ cơ sở",), (), BTG, NONE),
    (("Các Ban tham mưu giúp việc Đảng ủy Khối",), (), BTG, NONE),
    ((BTG,), (), BTG, MILESTONE),
]


def _shape(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...], str | None, DeadlineKind]]:
    return [(a.leads, a.supporting, a.follower, a.deadline.kind) for a in draft_assignments(text)]


@pytest.mark.parametrize(("seed", "expected"), [(SEED_004, EXPECTED_004), (SEED_000, EXPECTED_000)])
def test_the_seeds_assignments_are_the_ones_read_by_hand(seed: object, expected: object) -> None:
    text = seed.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert _shape(text) == expected
    # The imported body gives the same list: drafting works on a stored plan too.
    assert _shape(parse(text).draft.body) == expected


def test_the_milestones_and_the_cadence_are_named() -> None:
    drafted = draft_assignments(SEED_000.read_text(encoding="utf-8"))
    assert drafted[-1].deadline.milestones == (Milestone.INTERIM, Milestone.FINAL)
    assert drafted[-1].what.startswith("giao Ban Tuyên giáo Đảng ủy Khối theo dõi, tổng hợp")
    first = draft_assignments(SEED_004.read_text(encoding="utf-8"))[0]
    assert first.deadline.cadence is Cadence.PERIODIC and first.deadline.text == "định kỳ"
    assert first.in_section and first.line == 103


@pytest.mark.parametrize(
    ("words", "kind", "on", "cadence"),
    [
        ("Sở Y tế báo cáo kết quả về UBND tỉnh trước ngày 15/12/2025.", DATE, date(2025, 12, 15), None),
        ("báo cáo chậm nhất ngày 05 tháng 01 năm 2026", DATE, date(2026, 1, 5), None),
        ("trình Thủ tướng Chính phủ trong quý I/2019", DATE, date(2019, 3, 31), None),
        ("hằng quý báo cáo kết quả về Sở Nội vụ", CADENCE, None, Cadence.QUARTERLY),
        ("định kỳ 6 tháng, hằng năm báo cáo", CADENCE, None, Cadence.HALF_YEARLY),
        ("hằng năm báo cáo UBND tỉnh trước ngày 15/12", CADENCE, None, Cadence.YEARLY),
        ("hàng tháng báo cáo tiến độ", CADENCE, None, Cadence.MONTHLY),
        ("đưa vào kế hoạch công tác hằng năm của cấp ủy", NONE, None, None),  # not a report
        ("tham mưu sơ kết, tổng kết việc thực hiện", MILESTONE, None, None),
        ("theo Nghị quyết ngày 12/5/2026 của Tỉnh ủy", NONE, None, None),  # a date, not a due date
        ("báo cáo trong 5-10 ngày làm việc", NONE, None, None),  # a span of days
    ],
)
def test_deadlines(words: str, kind: DeadlineKind, on: date | None, cadence: Cadence | None) -> None:
    deadline = read_deadline(words)
    assert (deadline.kind, deadline.on, deadline.cadence) == (kind, on, cadence)


def test_a_paragraph_elsewhere_counts_only_with_a_time() -> None:
    text = (
        "II. NHIỆM VỤ\n1. Sở Y tế chủ trì, phối hợp với Sở Tài chính, Bộ Văn hóa, Thể thao và Du lịch "
        "rà soát "
        "cơ sở khám bệnh; báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 30/6/2026.\n"
        "2. Sở Nội vụ tăng cường kiểm tra công vụ.\n"
    )
    drafted = draft_assignments(text)
    assert [(a.lead, a.supporting, a.deadline.on, a.in_section) for a in drafted] == [
        ("Sở Y tế", ("Sở Tài chính", "Bộ Văn hóa, Thể thao và Du lịch"), date(2026, 6, 30), False)
    ]


def test_a_heading_names_the_unit_of_its_bullets() -> None:
    text = (
        "III. TỔ CHỨC THỰC HIỆN\n1. Bộ Quốc phòng\n"
        "- Chủ trì, phối hợp với các bộ, ngành liên quan nghiên cứu.\n"
        "2. Giao Giám đốc Sở Tài chính bảo đảm kinh phí; hằng năm báo cáo Ủy ban nhân dân tỉnh.\n"
        "Nơi nhận:\n- Như trên;\n"
    )
    drafted = draft_assignments(text)
    assert [(a.lead, a.supporting, a.deadline.kind) for a in drafted] == [
        ("Bộ Quốc phòng", ("các bộ, ngành liên quan",), NONE),
        ("Sở Tài chính", (), CADENCE),
    ]


def test_no_section_and_no_timed_task_drafts_nothing() -> None:
    assert draft_assignments("KẾ HOẠCH\nI. MỤC ĐÍCH\n- Quán triệt sâu rộng.\n") == []


def _book(path: Path) -> list[Entry]:
    """The address book of an organisation's TOML, checked as `directory load` checks it."""
    return address_book_of(tomllib.loads(path.read_text(encoding="utf-8")))


def test_units_resolve_through_the_address_book_or_stay_names_to_confirm() -> None:
    book = _book(EXAMPLES / "hamliem.toml")
    resolved = resolve_assignments(draft_assignments(SEED_004.read_text(encoding="utf-8")), book)
    assert [[(r.name, r.code) for r in a.leads] for a in resolved] == [
        [("Ủy ban nhân dân xã", None)],  # the commune People's Committee is not in the Party's book
        [(BXDD, "bxdd")],
        [
            ("Ủy ban Mặt trận Tổ quốc", "mttq"),
            ("các tổ chức chính trị - xã hội", None),
            ("hội quần chúng", None),
        ],
    ]
    # "các cơ quan tham mưu giúp việc" is the book's "Các cơ quan tham mưu, giúp việc của Đảng ủy".
    assert [(r.name, r.code) for r in resolved[1].supporting] == [
        ("các cơ quan tham mưu giúp việc", "cq-tham-muu"),
        ("các đơn vị liên quan", None),
    ]
    assert all(a.follower == UnitRef(BXDD, "bxdd") for a in resolved)
    assert resolved[0].to_confirm == ("Ủy ban nhân dân xã",)
    assert resolved[0].as_json()["lead_unit"] == {"name": "Ủy ban nhân dân xã", "unit_code": None}


def test_a_name_two_units_could_be_stays_to_confirm() -> None:
    book = [Entry("a", "Hội Nông dân xã", None), Entry("b", "Hội Nông dân huyện", None)]
    assert unit_code("Hội Nông dân", book) is None
    assert unit_code("Hội Nông dân xã", book) == "a"


def test_a_lead_in_names_the_unit_of_its_numbered_items() -> None:
    text = (
        "Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương:\n"
        "1. Chỉ đạo các cấp đưa nội dung đào tạo nghề vào kế hoạch 5 năm và hàng năm.\n"
        "Đào tạo nghề phải gắn với giải quyết việc làm.\n"
        "2. Định kỳ hàng năm gửi báo cáo về Bộ Lao động - Thương binh và Xã hội.\n"
    )
    drafted = draft_assignments(text)
    assert [(a.leads, a.deadline.cadence, a.line) for a in drafted] == [
        (("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",), Cadence.YEARLY, 4)
    ]


def test_a_date_that_defines_who_qualifies_is_no_deadline_and_people_are_no_unit() -> None:
    text = "Quân nhân, công an nhân dân nhập ngũ trước ngày 01 tháng 4 năm 2000 được hưởng chế độ.\n"
    assert draft_assignments(text) == []


def test_a_section_title_with_a_footnote_reference_and_a_table_row_closing_it() -> None:
    text = (
        "Điều 5. Tổ chức thực hiện[2]\n1. Sở Lao động - Thương binh và Xã hội:\n"
        "- Tiến hành mua bảo hiểm y tế.\n"
        "| Nơi nhận: - VPCP; - Lưu: VT. | KT. BỘ TRƯỞNG |\n"
        "Đề nghị các cơ quan chức năng xem xét, giải quyết chế độ đối với ông (bà).\n"
    )
    assert [a.lead for a in draft_assignments(text)] == ["Sở Lao động - Thương binh và Xã hội"]


def test_hostile_text_drafts_in_linear_time() -> None:
    import time

    started = time.monotonic()
    colons = "Đối với x: " * 20_000 + "Sở Y tế chủ trì."  # a colon after no unit, twenty thousand times
    commas = "Sở Y tế chủ trì, phối hợp với " + "Sở A, " * 20_000 + "báo cáo hằng quý."
    wall = "III. TỔ CHỨC THỰC HIỆN\n" + "\n".join(
        f"{n}. Bộ {n} chủ trì; hằng năm báo cáo." for n in range(2_000)
    )
    for text in (colons, commas, wall):
        draft_assignments(text)
    assert time.monotonic() - started < 10
    assert len(draft_assignments(wall)) == 2_000


def test_an_office_holder_asks_and_an_earlier_assignment_is_only_recounted() -> None:
    text = (
        "Tại công văn số 8014/VPCP-KGVX, Phó Thủ tướng đã giao Bộ Lao động - Thương binh và Xã hội xây dựng "
        "Thông tư; báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 11 năm 2012.\n\n"
        "Phó Thủ tướng Nguyễn Thiện Nhân yêu cầu Bộ Lao động - Thương binh và Xã hội khẩn trương hoàn thành "
        "việc ban hành Thông tư và báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 5 năm 2013.\n"
    )
    drafted = draft_assignments(text)
    assert [(a.lead, a.deadline.on, a.line) for a in drafted] == [
        ("Bộ Lao động - Thương binh và Xã hội", date(2013, 5, 30), 3)
    ]
