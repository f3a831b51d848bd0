"""`banhanh plan deliveries --follow` and `plan remind-ack`: a real process on a real database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from models.db import Database
from models.lifecycle import State
from models.services import outbox
from tests.factory import R1, REPO, SECRETARIAT, build, load_people


def cli(db_url: str, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )


def test_follow_shows_progress_until_every_copy_is_final(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    items = [i for i in outbox.claim_due(db, "email", 100, plan_id) if i.event == "distributed"]
    assert len(items) == 4
    follow = cli(db_url, tmp_path, "plan", "deliveries", str(plan_id), "--follow")
    for n, item in enumerate(items):
        time.sleep(1.0)
        assert follow.poll() is None, f"--follow ended with {len(items) - n} copies still pending"
        if n == 0:
            outbox.mark_failed(db, item.id or 0, "550 5.1.1 no such user")
        else:
            outbox.mark_sent(db, item.id or 0, "250 OK", f"hash-{item.id}")
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    assert "đã gửi 3 · lỗi 1 · còn chờ 0" in out
    assert "acknowledged" in out and "failed" in out


def test_remind_ack_from_the_command_line(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    for item in outbox.claim_due(db, "email", 100, plan_id):
        outbox.mark_sent(db, item.id or 0, "250 OK", f"hash-{item.id}")
    refused = cli(db_url, tmp_path, "plan", "remind-ack", str(plan_id), "--as", R1)
    _, err = refused.communicate(timeout=30)
    assert refused.returncode == 3 and "as:" in err
    reminded = cli(db_url, tmp_path, "plan", "remind-ack", str(plan_id), "--as", SECRETARIAT)
    out, err = reminded.communicate(timeout=30)
    assert reminded.returncode == 0, err
    assert f"Plan {plan_id}: 4 acknowledgement reminder(s) queued" in out
