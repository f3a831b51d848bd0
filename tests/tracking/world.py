"""An issued plan whose three lead units each owe one report, for the tracking tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select

from models.db import Database
from models.lifecycle import State
from models.services import plans
from models.services.tracking import confirm_assignments
from models.tracked import TrackingPeriod
from tests.factory import R1, R2, SECRETARIAT, drive, load_people, sample_draft

A, B, C = "dangu-ubnd@hamliem.example.vn", "mttq@hamliem.example.vn", "hoinongdan@hamliem.example.vn"
FOLLOWER = R1  # Ban Xây dựng Đảng's address is also a reviewer's
ITEMS: list[dict[str, Any]] = [
    {"lead": code, "follower": "bxdd", "what": what, "deadline": "date", "due": "2027-01-15"}
    for code, what in (
        ("du-ubnd", "Xây dựng kế hoạch thực hiện, báo cáo kết quả."),
        ("mttq", "Tổ chức tuyên truyền sâu rộng, báo cáo kết quả."),
        ("hoi-nong-dan", "Tuyên truyền đến hội viên, báo cáo kết quả."),
    )
]


def issue_tracked(db: Database, more: Sequence[dict[str, Any]] = ()) -> tuple[int, dict[str, int]]:
    """The plan, issued with its three assignments (and `more`); each lead unit's period id by its
    address (by its code for those of `more`)."""
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    confirm_assignments(db, plan_id, SECRETARIAT, [*ITEMS, *more])
    drive(db, plan_id, State.ISSUED)
    with db.read() as s:
        rows = s.exec(
            select(TrackingPeriod)
            .where(TrackingPeriod.plan_id == plan_id)
            .order_by(col(TrackingPeriod.assignment_id))
        ).all()
    keys = (A, B, C, *(str(item["lead"]) for item in more))
    return plan_id, dict(zip(keys, (r.id or 0 for r in rows), strict=True))
