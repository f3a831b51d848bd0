"""`banhanh tracking …` after issuance, as people type it: a real process on a real database. A
unit reports with a file, someone else's decision is refused with its code, the follower accepts,
and the listings show it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from models.db import Database
from models.lifecycle import State
from models.services import plans
from models.services.tracking import confirm_assignments
from models.tracked import ReportFile
from models.types import utcnow
from tests.factory import (
    R1,
    R2,
    REPO,
    SECRETARIAT,
    drive,
    load_people,
    sample_draft,
)

UNIT, FOLLOWER = "mttq@hamliem.example.vn", "bxdd@hamliem.example.vn"


def _issued(db: Database) -> int:
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    due = (utcnow() + timedelta(days=40)).date().isoformat()
    item = {"lead": "mttq", "follower": "bxdd", "what": "Tuyên truyền", "deadline": "date", "due": due}
    confirm_assignments(db, plan_id, SECRETARIAT, [item])
    return drive(db, plan_id, State.ISSUED)


def test_report_refusal_and_acceptance_from_the_command_line(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    plan_id = _issued(db)
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", "tracking", *args],
            env=env,
            text=True,
            capture_output=True,
            cwd=REPO,
        )

    (owed,) = json.loads(run("owed", "mttq", "--json").stdout)
    period = str(owed["period_id"])
    assert owed["plan_id"] == plan_id and owed["cell"] == "due"
    report = tmp_path / "bao-cao.txt"
    report.write_text("Đã tổ chức 3 hội nghị.", encoding="utf-8")
    attached = tmp_path / "danh-sach.csv"
    attached.write_bytes(b"thon,so nguoi\n1,80\n")
    done = run("report", period, "--as", UNIT, "--text-file", str(report), "--file", str(attached))
    assert done.returncode == 0 and f"period {period}: submitted" in done.stdout, done.stderr
    with db.read() as s:
        (kept,) = s.exec(select(ReportFile)).all()
    assert (kept.name, kept.content, kept.sha256) == (
        "danh-sach.csv",
        attached.read_bytes(),
        hashlib.sha256(attached.read_bytes()).hexdigest(),
    )
    refused = run("accept", period, "--as", UNIT)  # a unit does not accept its own report
    assert refused.returncode != 0 and "[tracking.not_party]" in refused.stderr
    no_reason = run("return", period, "--as", FOLLOWER, "--comment", " ")
    assert no_reason.returncode != 0 and "[tracking.comment_required]" in no_reason.stderr
    assert run("accept", period, "--as", FOLLOWER).returncode == 0
    late = run("extend", period, "--as", UNIT, "--until", "2099-01-01", "--reason", "x")
    assert late.returncode != 0 and "[tracking.wrong_state]" in late.stderr
    shown = run("show", str(plan_id))
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam xã (mttq)" in shown.stdout and "accepted" in shown.stdout
    (row,) = json.loads(run("show", str(plan_id), "--json").stdout)
    assert row["periods"][0]["state"] == "accepted" and row["periods"][0]["cell"] == "accepted"
    assert json.loads(run("owed", "mttq", "--json").stdout) == []
    assert json.loads(run("overdue", "--json").stdout) == []
    assert json.loads(run("remind", "--json").stdout) == {}
