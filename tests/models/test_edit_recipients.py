"""The secretariat edits the Nơi nhận list as it will be printed: add, remove, reorder, annotate,
"Như trên", the archive line; each line resolved against the address book as it is then, so
sending the same lines again (`--resolve`) maps what the book has learnt since the import."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from models.db import Database
from models.errors import Invalid
from models.services import plans
from models.services.directory import load_directory
from models.services.queries import plan_status
from tests.factory import SECRETARIAT, current_hash, example_config, sample_draft

ORG = "hamliem"


def _recipients(db: Database, plan_id: int) -> list[tuple[str, str, str | None, bool]]:
    return [
        (r["text"], r["annotation"], r["unit_code"], r["archive"])
        for r in plan_status(db, plan_id)["recipients"]
    ]


@pytest.fixture
def plan_id(db: Database) -> int:
    load_directory(db, example_config())
    return plans.create_plan(db, SECRETARIAT, ORG, sample_draft()).plan_id


def test_add_remove_reorder_and_annotate(db: Database, plan_id: int) -> None:
    before = current_hash(db, plan_id)
    after = plans.edit_plan(
        db,
        plan_id,
        SECRETARIAT,
        recipient_lines=[
            "- Ban Xây dựng Đảng (để thực hiện);",  # added, annotated
            "- Thường trực Đảng ủy;",  # moved to second
            "- Thường trực Tỉnh ủy (báo cáo);",
            "- Lưu Văn phòng Đảng ủy.",
        ],
    )
    assert after != before  # a new version: reviewers approve the list with the text
    assert _recipients(db, plan_id) == [
        ("Ban Xây dựng Đảng", "để thực hiện", "bxdd", False),
        ("Thường trực Đảng ủy", "", "tt-dang-uy", False),
        ("Thường trực Tỉnh ủy", "báo cáo", "tt-tinh-uy", False),
        ("Lưu Văn phòng Đảng ủy", "", None, True),
    ]


def test_as_above_is_kept_as_written(db: Database, plan_id: int) -> None:
    plans.edit_plan(db, plan_id, SECRETARIAT, recipient_lines=["- Như trên;", "- Lưu Văn phòng Đảng ủy."])
    assert _recipients(db, plan_id) == [
        ("Như trên", "", None, False),
        ("Lưu Văn phòng Đảng ủy", "", None, True),
    ]


def test_a_unit_added_to_the_address_book_is_mapped_when_the_list_is_sent_again(
    db: Database, plan_id: int
) -> None:
    plans.edit_plan(
        db, plan_id, SECRETARIAT, recipient_lines=["- Hội Cựu chiến binh xã;", "- Lưu Văn phòng Đảng ủy."]
    )
    assert _recipients(db, plan_id)[0] == ("Hội Cựu chiến binh xã", "", None, False)
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["units"].append(
        {"code": "hoi-ccb", "name": "Hội Cựu chiến binh xã", "email": "ccb@hamliem.example.vn"}
    )
    load_directory(db, config)
    lines = [f"- {text}" for text, _, _, _ in _recipients(db, plan_id)]
    plans.edit_plan(db, plan_id, SECRETARIAT, recipient_lines=lines)
    assert _recipients(db, plan_id)[0] == ("Hội Cựu chiến binh xã", "", "hoi-ccb", False)


@pytest.mark.parametrize(
    ("lines", "field", "code"),
    [
        ([], "recipients", "recipients.none"),
        (["", "  "], "recipients", "recipients.none"),
        (["- Lưu Văn phòng Đảng ủy.", "- Thường trực Đảng ủy;"], "recipients", "recipients.archive_not_last"),
        (["- Lưu Văn phòng.", "- Lưu Văn phòng Đảng ủy."], "recipients", "recipients.archive_not_last"),
        (["- Thường trực Đảng ủy;", "-   ;"], "recipients[2]", "recipients.empty_entry"),
        (["- Thường trực\nĐảng ủy"], "recipients[1]", "field.one_line"),
    ],
)
def test_a_bad_list_is_refused_naming_the_line_and_changes_nothing(
    db: Database, plan_id: int, lines: list[str], field: str, code: str
) -> None:
    before = (current_hash(db, plan_id), _recipients(db, plan_id))
    with pytest.raises(Invalid) as refused:
        plans.edit_plan(db, plan_id, SECRETARIAT, recipient_lines=lines)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert (current_hash(db, plan_id), _recipients(db, plan_id)) == before
