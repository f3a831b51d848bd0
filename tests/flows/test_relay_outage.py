"""A relay outage during a plan's distribution, through the served deployment on the real Prefect server.

The relay is down when the plan is signed: the run's distribution step sends nothing, hands
the copies to the dispatcher and the run suspends on ``deliveries-v1`` (no process held).
Ten minutes of the services' clock pass with the relay down: no copy fails, the plan stays
``distributing``. The relay comes back: the dispatcher's next probe finds it, sends every
copy, issues the plan, and that resumes the run to its end.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from models.lifecycle import State
from models.policies import Decision
from models.services import plans, reviews, signing
from models.services.queries import deliveries, outbox, plan_status
from models.types import utcnow
from notifications.catcher import MailCatcher, read_index
from notifications.dispatcher import PROBE_MAX_S
from tests.engine import Engine
from tests.factory import R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people
from tests.flows.helpers import run_state, suspended_on, until
from tests.flows.test_issue_plan import runs_of

# Orchestration on the real engine; the outage handling it drives runs on both databases in
# tests/notifications/test_outage.py.
pytestmark = pytest.mark.one_database


class ShiftedClock:
    """Real time plus an offset the test moves forward (the services' and the dispatcher's clock)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


async def test_relay_down_at_distribution_the_run_waits_and_the_plan_is_issued_when_it_returns(
    engine: Engine, dispatcher: object
) -> None:
    db = engine.db
    clock = ShiftedClock()
    db.clock = clock
    load_people(db)
    plan_id = build(db, State.DRAFT)
    plans.submit(db, plan_id, SECRETARIAT)
    await suspended_on(db, plan_id, "review-r1")
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    run_id = await suspended_on(db, plan_id, "sign-v1")

    port, mail_dir = engine.catcher.port, engine.catcher.mail_dir
    engine.catcher.stop()  # the relay goes down
    signing.sign(db, plan_id, SIGNER, version)
    await suspended_on(db, plan_id, "deliveries-v1")
    for _ in range(60):  # ten minutes of the clock with the relay down
        clock.offset += timedelta(seconds=10)
        await asyncio.sleep(0.1)  # the dispatcher passes about every 0.1 s
    emailed = [d for d in deliveries(db, plan_id) if d["email"]]
    assert emailed and {d["status"] for d in emailed} == {"queued"}, "nothing failed, nothing sent"
    assert plan_status(db, plan_id)["state"] == "distributing"
    assert run_state(run_id) == "Suspended"

    with MailCatcher(mail_dir, port=port):  # the relay is back on its port
        clock.offset += timedelta(seconds=PROBE_MAX_S + 1)  # the next probe is due
        await until("plan issued", lambda: plan_status(db, plan_id)["state"] == "issued")
        await until("run completed", lambda: run_state(run_id) == "Completed")
        await until(
            "the issued emails",
            lambda: all(o["status"] == "sent" for o in outbox(db, plan_id) if o["event"] == "issued"),
        )
    assert runs_of(db, plan_id) == {run_id}, "the same run waited and ended"
    emailed = [d for d in deliveries(db, plan_id) if d["email"]]
    assert all(d["status"] == "sent" for d in emailed)
    mails = [m for m in read_index(mail_dir) if m.get("event") == "distributed"]
    assert sorted(r for m in mails for r in m["rcpt_tos"]) == sorted(d["email"] for d in emailed)
    assert not [o for o in outbox(db, plan_id) if o["event"] == "delivery_failed"]
    assert all(o["attempts"] <= 1 for o in outbox(db, plan_id) if o["event"] == "distributed")
