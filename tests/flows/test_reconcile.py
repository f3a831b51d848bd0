"""Reconcile: a decision committed while the Prefect server is down is picked up after it restarts."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import select

from flows.reconcile import reconcile_plans
from models.lifecycle import State
from models.policies import Decision
from models.records import AuditEntry, RegisterEntry
from models.services import plans, reviews, signing
from models.services.queries import deliveries, plan_status
from notifications.catcher import read_index
from notifications.dispatcher import Dispatcher
from tests.engine import Engine, PrefectServer
from tests.factory import R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people
from tests.flows.helpers import suspended_on, until

# Prefect down and back up, around service calls tested on both databases themselves; the
# whole engine on PostgreSQL is tests/scale/test_multi_worker.py.
pytestmark = pytest.mark.one_database

BOUND_S = 120


async def test_approval_while_prefect_is_down_is_issued_once_after_restart(
    engine: Engine, prefect_server: PrefectServer
) -> None:
    db = engine.db
    load_people(db)
    plan_id = build(db, State.DRAFT)
    plans.submit(db, plan_id, SECRETARIAT)
    # Emails only: flow runs are driven by reconcile alone in this test.
    mailer = Dispatcher(db, engine.settings, driver=None)
    mail_task = asyncio.create_task(mailer.run())
    try:
        assert await reconcile_plans(db) == {"done": 1, "retry": 0, "error": 0}  # starts the run
        await suspended_on(db, plan_id, "review-r1")

        prefect_server.stop()
        version = current_hash(db, plan_id)
        reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
        reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
        assert plan_status(db, plan_id)["state"] == "approved"  # people never wait on Prefect
        down = await reconcile_plans(db)
        assert down["error"] == 1, down  # Prefect unreachable: nothing lost, nothing done

        restarted = time.monotonic()
        await asyncio.to_thread(prefect_server.start)
        if engine.runner.poll() is not None:
            engine.restart_runner()
        assert (await reconcile_plans(db))["error"] == 0
        await suspended_on(db, plan_id, "sign-v1")

        signing.sign(db, plan_id, SIGNER, version)
        assert (await reconcile_plans(db))["error"] == 0
        await until("plan issued", lambda: plan_status(db, plan_id)["state"] == "issued", timeout=BOUND_S)
        assert time.monotonic() - restarted < BOUND_S
        # Reconciling an issued plan again changes nothing.
        await reconcile_plans(db)
        await asyncio.sleep(1)
    finally:
        mailer.stop()
        await mail_task

    with db.read() as s:
        actions = [e.action for e in s.exec(select(AuditEntry).where(AuditEntry.plan_id == plan_id))]
        numbers = s.exec(select(RegisterEntry).where(RegisterEntry.plan_id == plan_id)).all()
    assert actions.count("complete_review") == 1
    assert actions.count("sign") == 1 and len(numbers) == 1
    assert actions.count("complete_distribution") == 1
    emailed = [d["email"] for d in deliveries(db, plan_id) if d["email"]]
    got = [
        r
        for m in read_index(engine.catcher.mail_dir)
        if m.get("event") == "distributed"
        for r in m["rcpt_tos"]
    ]
    assert sorted(got) == sorted(emailed)
