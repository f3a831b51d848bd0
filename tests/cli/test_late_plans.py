"""Late plans: automated work due with no progress, read from the database alone (plan list, healthz)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from models.db import Database
from models.lifecycle import State
from models.records import Delivery
from models.services import runs
from models.types import utcnow
from tests.factory import build, load_people

LATE_AFTER = timedelta(minutes=5)


def test_plans_whose_automated_work_has_not_moved_are_late(db: Database) -> None:
    load_people(db)
    signed = build(db, State.SIGNED)  # to render and distribute
    distributing = build(db, State.DISTRIBUTING)  # copies to send
    approved = build(db, State.APPROVED)  # the run still waits on the review: it must move to sign-v1
    runs.set_wait_key(db, approved, "review-r1")
    waiting = build(db, State.IN_REVIEW)  # suspended on its step: waits for a person, never late
    runs.set_wait_key(db, waiting, "review-r1")
    build(db, State.ISSUED)  # done

    assert runs.late_plans(db, LATE_AFTER) == []  # everything just happened
    later = utcnow() + LATE_AFTER + timedelta(minutes=1)
    late = {p.plan_id: p for p in runs.late_plans(db, LATE_AFTER, now=later)}
    assert set(late) == {signed, distributing, approved}
    assert late[signed].waits_for == "render and distribute"
    assert late[distributing].waits_for == "send the copies"
    assert late[approved].waits_for == "move to sign-v1"

    # A copy recorded a minute ago is progress: that distribution is not late.
    with db.write() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.plan_id == distributing)  # type: ignore[arg-type]
            .values(updated_at=later - timedelta(minutes=1))
        )
    assert {p.plan_id for p in runs.late_plans(db, LATE_AFTER, now=later)} == {signed, approved}


def test_plan_list_shows_the_late_run(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db)
    signed = build(db, State.SIGNED)
    waiting = build(db, State.IN_REVIEW)
    runs.set_wait_key(db, waiting, "review-r1")
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path), "BANHANH_RUN_LATE_S": "0"}

    def plan_list(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "cli", "plan", "list", *args],
            env=env,
            text=True,
            capture_output=True,
            cwd=tmp_path,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    rows = {r["id"]: r for r in json.loads(plan_list("--json"))}
    assert rows[signed]["run_late_since"] and rows[signed]["run"].startswith("late ")
    assert rows[waiting]["run_late_since"] is None and rows[waiting]["run"] == ""
