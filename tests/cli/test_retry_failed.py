"""`banhanh plan retry-failed`: every failed copy sent again in one command (a real process)."""

from __future__ import annotations

from pathlib import Path

from models.db import Database
from models.lifecycle import State
from models.services import distribution, outbox
from models.services.queries import deliveries, plan_status
from tests.cli.test_deliveries import cli
from tests.factory import SECRETARIAT, build, load_people


def test_retry_failed_from_the_command_line(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db)
    plan_id = build(db, State.DISTRIBUTING)
    items = [i for i in outbox.claim_due(db, "email", 100, plan_id) if i.event == "distributed"]
    for n, item in enumerate(items):
        if n < 2:
            outbox.mark_failed(db, item.id or 0, "gave up after 30 attempts in 24 h: 451 mailbox full")
        else:
            outbox.mark_sent(db, item.id or 0, "250 OK")
    assert distribution.finish_ready(db, [plan_id]) == [plan_id]
    failed = sorted(d["email"] for d in deliveries(db, plan_id) if d["status"] == "failed")
    assert len(failed) == 2

    retried = cli(db_url, tmp_path, "plan", "retry-failed", str(plan_id), "--as", SECRETARIAT)
    out, err = retried.communicate(timeout=60)
    assert retried.returncode == 0, err
    assert f"Plan {plan_id}: 2 failed copies queued again" in out and all(e in out for e in failed)
    assert sorted(d["email"] for d in deliveries(db, plan_id) if d["status"] == "queued") == failed
    assert plan_status(db, plan_id)["state"] == "issued"

    again = cli(db_url, tmp_path, "plan", "retry-failed", str(plan_id), "--as", SECRETARIAT)
    _, err = again.communicate(timeout=60)
    assert (
        again.returncode == 3
        and "deliveries:" in err
        and "no failed delivery" in err
        and "[deliveries.none_failed]" in err
    )
