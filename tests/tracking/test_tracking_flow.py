"""The scheduled reminders flow on the real Prefect server also reminds units of the reports they
owe: a plan issued a month ago whose reports fell due while nothing ran is escalated once, and a
second run sends nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from flows.reminders import reminders
from models.db import Database
from models.lifecycle import State
from models.services import plans
from models.services.queries import outbox
from models.services.tracking import confirm_assignments
from models.services.tracking_views import grid
from models.types import utcnow
from tests.engine import PrefectServer
from tests.factory import (
    R1,
    R2,
    SECRETARIAT,
    drive,
    load_people,
    sample_draft,
)
from tests.flows.helpers import flow_database  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("flow_database")
async def test_the_reminders_flow_escalates_missing_reports_once(
    prefect_server: PrefectServer, db: Database
) -> None:
    month_ago = utcnow() - timedelta(days=30)
    db.clock = lambda: month_ago
    load_people(db)
    plan_id = plans.create_plan(db, SECRETARIAT, "hamliem", sample_draft()).plan_id
    plans.assign(db, plan_id, SECRETARIAT, reviewers=[R1, R2])
    due = (utcnow() - timedelta(days=10)).date().isoformat()
    items = [
        {"lead": code, "follower": "bxdd", "deadline": "date", "due": due}
        for code in ("mttq", "hoi-nong-dan")
    ]
    confirm_assignments(db, plan_id, SECRETARIAT, items)
    drive(db, plan_id, State.ISSUED)

    first = await reminders()
    assert first == {"tracking_escalation": 2}, first  # the latest only: no reminder before or on the day
    assert await reminders() == {}
    sent = Counter((o["event"], o["to"]) for o in outbox(db, plan_id) if o["event"].startswith("tracking_"))
    assert sent == Counter({("tracking_escalation", "bxdd@hamliem.example.vn"): 2})
    assert [p["cell"] for r in grid(db, plan_id) for p in r["periods"]] == ["missing", "missing"]
