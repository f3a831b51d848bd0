"""Builders that drive a plan through the service layer to any lifecycle state."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from models.content import Draft
from models.db import Database
from models.lifecycle import State
from models.policies import Decision
from models.services import distribution, outbox, plans, recall, replacement, reviews, signing
from models.services.directory import load_directory
from models.services.queries import plan_status

REPO = Path(__file__).resolve().parents[1]
SECRETARIAT = "vanphong@hamliem.example.vn"
R1 = "bxdd@hamliem.example.vn"
R2 = "ubkt@hamliem.example.vn"
SIGNER = "pbt@hamliem.example.vn"
# People who hold a role but are not assigned to the plan under test.
R3 = "tuyengiao@hamliem.example.vn"
SIGNER2 = "bithu@hamliem.example.vn"
OTHER_SECRETARIAT = "vanphong@duk.example.vn"
# The văn thư who issues what is signed (role clerk), and one of another organisation.
CLERK = "vanthu@hamliem.example.vn"
OTHER_CLERK = "vanthu@duk.example.vn"

FAKE_PDF = b"%PDF-1.7\n% a stand-in document for service-level tests\n%%EOF\n"


def example_config(name: str = "hamliem") -> dict[str, object]:
    return tomllib.loads((REPO / "examples" / f"{name}.toml").read_text(encoding="utf-8"))


def load_people(db: Database, *, automatic_issuance: bool = True) -> None:
    """The test organisations; `automatic_issuance=False`: hamliem's văn thư issues in person."""
    config: dict[str, Any] = copy.deepcopy(example_config())
    config["organisation"]["automatic_issuance"] = automatic_issuance
    config["people"] += [
        {"email": R3, "name": "Võ Văn Tuyên", "roles": ["reviewer"]},
        {"email": SIGNER2, "name": "Đặng Văn Thư", "title": "Bí thư", "roles": ["signer"]},
        {"email": CLERK, "name": "Lê Thị Văn Thư", "title": "Văn thư", "roles": ["clerk"]},
    ]
    load_directory(db, config)
    load_directory(
        db,
        {
            "organisation": {
                "key": "duk",
                "code": "ĐUK",
                "name": "ĐẢNG ỦY KHỐI",
                "place": "Trà Vinh",
                "system": "party",
                "term": "2020-2025",
            },
            "people": [
                {"email": OTHER_SECRETARIAT, "name": "Văn phòng ĐUK", "roles": ["secretariat"]},
                {"email": OTHER_CLERK, "name": "Văn thư ĐUK", "roles": ["clerk"]},
            ],
        },
    )


def sample_draft(title: str = "Kế hoạch thực hiện Nghị quyết số 12-NQ/TU") -> Draft:
    return Draft(
        title=title,
        body="I. MỤC ĐÍCH, YÊU CẦU\n\n- Quán triệt và triển khai thực hiện nghiêm túc.",
        footnotes=("Hiện nay trên địa bàn xã có 31.595 khẩu.",),
        recipient_lines=(
            ("Thường trực Tỉnh ủy", "báo cáo"),
            ("Thường trực Đảng ủy", ""),
            ("Các tổ chức cơ sở Đảng trực thuộc Đảng ủy", ""),
            ("Đảng ủy UBND xã", ""),
            ("Lưu Văn phòng Đảng ủy", ""),
        ),
        sign_form="T/M",
        sign_collective="BAN THƯỜNG VỤ",
        sign_title="PHÓ BÍ THƯ THƯỜNG TRỰC",
        signer_name="Phan Minh Quảng",
    )


def current_hash(db: Database, plan_id: int) -> str:
    return str(plan_status(db, plan_id)["version_hash"])


def drain_outbox(db: Database, plan_id: int) -> None:
    """Record every queued email of the plan as accepted (stands in for the dispatcher)."""
    while items := outbox.claim_due(db, "email", 100, plan_id=plan_id):
        for item in items:
            outbox.mark_sent(db, item.id or 0, "250 OK")


def build(db: Database, state: State) -> int:
    """A new plan, driven through the services to `state`."""
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    return drive(db, plan_id, state)


def drive(db: Database, plan_id: int, state: State) -> int:
    """A draft assigned to R1 and R2 (and whatever else the test set on it), driven through the
    services to `state`."""
    if state is State.DRAFT:
        return plan_id
    if state is State.WITHDRAWN:
        plans.withdraw(db, plan_id, SECRETARIAT, "no longer needed")
        return plan_id
    plans.submit(db, plan_id, SECRETARIAT)
    version = current_hash(db, plan_id)
    if state is State.IN_REVIEW:
        return plan_id
    if state is State.CHANGES_REQUESTED:
        reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, version, "Sửa mục II")
        return plan_id
    if state is State.REJECTED:
        reviews.decide(db, plan_id, R1, Decision.REJECT, version, "Không phù hợp")
        return plan_id
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    if state is State.APPROVED:
        return plan_id
    if state is State.AWAITING_ISSUANCE:
        # Signed where the văn thư issues in person; the organisation then issues automatically again.
        load_people(db, automatic_issuance=False)
        signing.sign(db, plan_id, SIGNER, version)
        load_people(db)
        return plan_id
    signing.sign(db, plan_id, SIGNER, version)
    distribution.store_document(db, plan_id, "pdf", "ke-hoach.pdf", FAKE_PDF)
    if state is State.SIGNED:
        return plan_id
    distribution.start_distribution(db, plan_id)
    if state is State.DISTRIBUTING:
        return plan_id
    drain_outbox(db, plan_id)
    distribution.complete_distribution(db, plan_id)
    if state is State.ISSUED:
        return plan_id
    if state is State.SUPERSEDED:  # a replacement drafted, reviewed, signed and issued
        new = replacement.replace(db, plan_id, SECRETARIAT)
        plans.assign(db, new, SECRETARIAT, reviewers=[R1, R2])
        drive(db, new, State.ISSUED)
        return plan_id
    recall.request(db, plan_id, SIGNER, "Sai nội dung mục II")
    if state is State.RECALLED:
        recall.confirm(db, plan_id, SIGNER2)  # a second person with signing authority
    return plan_id
