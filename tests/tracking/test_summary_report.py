"""The loop closes: the follower assembles the accepted reports into a Báo cáo draft (from the CLI),
linked to the plan; it goes through review, signing and issue like any plan, and the audit chain
holds. Its text has each accepted unit's report and never a report that was only returned."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from documents.render import render_html
from documents.views import document_view
from models.db import Database
from models.errors import AlreadyDecided, Invalid, NotAllowed
from models.lifecycle import State
from models.plans import Plan
from models.services import audit, documents, plans
from models.services.queries import plan_status
from models.services.tracking_summary import assemble_summary, summaries
from models.services.tracking_work import decide_report, submit_report
from models.tables import Organisation
from tests.factory import R1, R2, R3, REPO, SECRETARIAT, drive
from tests.tracking.world import FOLLOWER, A, B, C, issue_tracked

ACCEPTED_A = "Đã ban hành kế hoạch số 05-KH/ĐU, triển khai đến 12 chi bộ."
RETURNED_B = "Đang tổng hợp số liệu tuyên truyền."
ACCEPTED_C = "Tổ chức 4 buổi tuyên truyền cho 310 hội viên."


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], env=env, text=True, capture_output=True, cwd=REPO, check=False
    )


def test_summary_report_is_assembled_reviewed_signed_and_issued(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    plan_id, period = issue_tracked(db)
    submit_report(db, period[A], A, ACCEPTED_A)
    decide_report(db, period[A], FOLLOWER, True)
    submit_report(db, period[B], B, RETURNED_B)
    decide_report(db, period[B], FOLLOWER, False, "Thiếu số liệu")
    submit_report(db, period[C], C, ACCEPTED_C, [("danh-sach.xlsx", b"310"), ("anh.jpg", b"jpg")])
    decide_report(db, period[C], FOLLOWER, True)

    with pytest.raises(Invalid) as bad:
        assemble_summary(db, plan_id, FOLLOWER, "giua_ky")
    assert bad.value.field == "milestone"
    with pytest.raises(NotAllowed):
        assemble_summary(db, plan_id, R3, "so_ket")  # follows nothing of this plan

    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}
    # The office follows every assignment; the follower unit's person could not then review it.
    made = _cli(
        env, "tracking", "summary", str(plan_id), "--milestone", "so_ket", "--as", SECRETARIAT, "--json"
    )
    assert made.returncode == 0, made.stderr
    result = json.loads(made.stdout)
    report_id = result["plan"]
    assert result["reports_on"] == plan_id
    assert result["units"] == ["Đảng ủy UBND xã", "Hội Nông dân xã"]
    assert result["missing"] == ["Ủy ban Mặt trận Tổ quốc Việt Nam xã"]
    with pytest.raises(AlreadyDecided):  # one summary per milestone while it lives
        assemble_summary(db, plan_id, FOLLOWER, "so_ket")

    status = plan_status(db, report_id)
    assert status["state"] == State.DRAFT
    with db.read() as s:
        assert (s.get(Plan, report_id) or Plan()).doc_type == "BC"
    doc = documents.plan_document(db, report_id)
    body = doc.version.body
    assert ACCEPTED_A in body and ACCEPTED_C in body
    assert "Tài liệu kèm theo: danh-sach.xlsx; anh.jpg." in body
    assert RETURNED_B not in body  # returned, never accepted: named as missing, not quoted
    assert body.index("1. Đảng ủy UBND xã") < body.index("2. Hội Nông dân xã")
    assert "BÁO CÁO" in render_html(document_view(doc))
    # Linked both ways: the plan shows its summary, the summary the plan it reports on.
    assert [(r["plan"], r["note"]) for r in summaries(db, plan_id)] == [(report_id, "so_ket")]
    assert [r["plan"] for r in summaries(db, report_id)] == [plan_id]

    # The same workflow as any plan: reviewers, submission, approval, signature, issue.
    plans.assign(db, report_id, SECRETARIAT, reviewers=[R1, R2])
    drive(db, report_id, State.ISSUED)
    issued = plan_status(db, report_id)
    assert issued["state"] == State.ISSUED
    assert issued["symbol"] == "Số 01-BC/ĐU"  # the register of Báo cáo, apart from the plans'
    assert "Kế hoạch số 01-KH/ĐU ngày" in body
    with db.read() as s:
        org_id = s.exec(select(Organisation.id).where(Organisation.key == "hamliem")).one() or 0
    verified = audit.verify(db, org_id)
    assert verified.broken_at is None, verified.reason
    shown = _cli(env, "audit", "verify")
    assert shown.returncode == 0, shown.stdout + shown.stderr


def test_nothing_accepted_yet_is_said(db: Database) -> None:
    plan_id, period = issue_tracked(db)
    submit_report(db, period[A], A, "Báo cáo.")
    with pytest.raises(Invalid) as refused:
        assemble_summary(db, plan_id, SECRETARIAT, "tong_ket")
    assert refused.value.code == "tracking.nothing_accepted"
