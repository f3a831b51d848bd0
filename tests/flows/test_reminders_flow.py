"""The scheduled reminders flow on the real Prefect server: a run twice sends nothing twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from flows.reminders import reminders
from models.db import Database
from models.lifecycle import State
from models.services.queries import outbox
from models.types import utcnow
from tests.engine import PrefectServer
from tests.factory import R1, R2, SECRETARIAT, build, load_people
from tests.flows.helpers import flow_database  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("flow_database")
async def test_reminder_flow_catches_up_once_after_downtime(
    prefect_server: PrefectServer, db: Database
) -> None:
    month_ago = utcnow() - timedelta(days=30)
    db.clock = lambda: month_ago
    load_people(db)
    build(db, State.IN_REVIEW)  # asked a month ago: every reminder slot and the escalation have passed

    def nudges() -> Counter[tuple[str, str]]:
        return Counter((o["event"], o["to"]) for o in outbox(db) if o["event"] in {"reminder", "escalation"})

    first = await reminders()
    assert first == {"reminder": 2}  # the latest reminder only, not a burst of three
    assert await reminders() == {"escalation": 2}
    assert await reminders() == {}
    assert nudges() == Counter({("reminder", R1): 1, ("reminder", R2): 1, ("escalation", SECRETARIAT): 2})
