"""Confirmed assignments are part of a version's content and hash: stored by the secretariat as a
new version, left out of the hash (and the audit binding) while a version has none, and a name
still to confirm refuses submission. Real databases, the real services."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

import pytest

from models.content import PlanContent, _canonical, content_hash
from models.db import Database
from models.errors import Invalid, WrongState
from models.services import audit, plans
from models.services.tracking import confirm_assignments, confirmed_for_plan
from models.tables import Organisation
from tests.factory import R1, R2, SECRETARIAT, current_hash, load_people, sample_draft

BODY = (
    "I. MỤC ĐÍCH, YÊU CẦU\n\n- Quán triệt và triển khai thực hiện nghiêm túc.\n\n"
    "II. TỔ CHỨC THỰC HIỆN\n\n"
    "1. Đảng ủy UBND xã xây dựng kế hoạch thực hiện, báo cáo kết quả trước ngày 15/01/2027.\n\n"
    "2. Ban Xây dựng Đảng chủ trì, phối hợp với Ủy ban Kiểm tra Đảng ủy theo dõi, kiểm tra, đôn đốc"
    " việc thực hiện kế hoạch này, định kỳ hằng quý báo cáo Ban Thường vụ Đảng ủy.\n\n"
    "3. Hội Cựu giáo chức xã tổ chức tuyên truyền, báo cáo kết quả trước ngày 30/11/2026.\n"
)


def test_a_version_without_assignments_keeps_the_hash_it_always_had() -> None:
    content = PlanContent(title="Kế hoạch", body="Nội dung")
    before = {k: v for k, v in asdict(content).items() if k != "assignments"}
    payload = json.dumps(_canonical(before), ensure_ascii=False, separators=(",", ":"))
    assert content_hash(content) == hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.fixture
def plan_id(db: Database) -> int:
    load_people(db)
    draft = sample_draft()
    draft = type(draft)(**{**draft.__dict__, "body": BODY})
    plan = plans.create_plan(db, SECRETARIAT, "hamliem", draft).plan_id
    plans.assign(db, plan, SECRETARIAT, reviewers=[R1, R2])
    return plan


def _org_id(db: Database) -> int:
    with db.read() as s:
        from sqlmodel import select

        return s.exec(select(Organisation.id).where(Organisation.key == "hamliem")).one() or 0


def test_confirmed_assignments_are_a_new_version_that_submission_checks(db: Database, plan_id: int) -> None:
    first = current_hash(db, plan_id)
    drafted_hash = confirm_assignments(db, plan_id, SECRETARIAT, None)
    assert not drafted_hash.startswith(first)
    stored = confirmed_for_plan(db, plan_id)
    assert [(a.lead.unit_code, a.deadline) for a in stored] == [
        ("du-ubnd", "date"),
        ("bxdd", "cadence"),
        (None, "date"),
    ]
    assert stored[1].cadence == "quarterly" and stored[0].due == "2027-01-15"
    with pytest.raises(WrongState) as refused:
        plans.submit(db, plan_id, SECRETARIAT)
    assert refused.value.code == "tracking.to_confirm" and "Hội Cựu giáo chức xã" in refused.value.message
    # The secretariat maps the name to a unit of the book (by code) and sets a milestone's date.
    items = [a.as_json() for a in stored]
    items[2]["lead"] = "hoi-nong-dan"
    items.append(
        {"lead": "bxdd", "what": "Sơ kết", "deadline": "milestone", "milestones": [["so_ket", "2027-06-30"]]}
    )
    final = confirm_assignments(db, plan_id, SECRETARIAT, items)
    assert final != drafted_hash and final.startswith(current_hash(db, plan_id))
    stored = confirmed_for_plan(db, plan_id)
    assert stored[2].lead.unit_code == "hoi-nong-dan" and stored[3].milestones == (("so_ket", "2027-06-30"),)
    assert plans.submit(db, plan_id, SECRETARIAT) == 1
    # An edit of the text keeps the assignments; the chain binds them and still verifies.
    report = audit.verify(db, _org_id(db))
    assert report.broken_at is None, report.reason


def test_a_unit_code_not_in_the_book_or_an_undated_deadline_is_refused(db: Database, plan_id: int) -> None:
    before = current_hash(db, plan_id)
    for items, field in (
        ([{"lead": {"name": "X", "unit_code": "khong-co"}}], "assignments[1].lead"),
        ([{"lead": "bxdd", "deadline": "date"}], "assignments[1].due"),
        ([{"lead": "bxdd", "deadline": "cadence", "cadence": "periodic"}], "assignments[1].cadence"),
    ):
        with pytest.raises(Invalid) as refused:
            confirm_assignments(db, plan_id, SECRETARIAT, items)  # type: ignore[arg-type]
        assert refused.value.field == field
    assert current_hash(db, plan_id) == before
