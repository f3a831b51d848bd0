"""The full path through a served deployment, on the real Prefect server, runner and SMTP."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from bench.procstat import flow_run_processes
from models.db import Database
from models.lifecycle import State
from models.policies import Decision
from models.records import AuditEntry
from models.services import plans, reviews, signing
from models.services.queries import deliveries, plan_status
from models.services.runs import snapshot
from notifications.catcher import read_index
from tests.engine import API_URL, Engine
from tests.factory import CLERK, R1, R2, SECRETARIAT, SIGNER, build, current_hash, load_people
from tests.flows.helpers import run_state, suspended_on, until

# Prefect's orchestration of the services, tested on both databases themselves; the whole
# engine on PostgreSQL is tests/scale/test_multi_worker.py.
pytestmark = pytest.mark.one_database


def engine_runs(engine: Engine) -> list[str]:
    """Flow-run processes the runner has alive right now."""
    return [p.cmdline for p in flow_run_processes(engine.runner.pid) if "python" in p.cmdline]


async def test_plan_goes_from_submission_to_every_inbox(engine: Engine, dispatcher: object) -> None:
    db = engine.db
    load_people(db)
    plan_id = build(db, State.DRAFT)
    plans.submit(db, plan_id, SECRETARIAT)

    run_id = await suspended_on(db, plan_id, "review-r1")
    # The run's process exits right after it suspends: waiting holds no process.
    await until("the suspended run's process to exit", lambda: engine_runs(engine) == [], timeout=30)

    # Round 1: changes requested; the run waits for the drafter, then for round 2.
    reviews.decide(db, plan_id, R1, Decision.REQUEST_CHANGES, current_hash(db, plan_id), "Bổ sung mục tiêu")
    await suspended_on(db, plan_id, "draft-r1-v1")
    plans.edit_plan(db, plan_id, SECRETARIAT, body="I. MỤC ĐÍCH\n\n- Đã bổ sung mục tiêu.")
    plans.submit(db, plan_id, SECRETARIAT)
    await suspended_on(db, plan_id, "review-r2")

    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    await suspended_on(db, plan_id, "sign-v2")
    await until("the suspended run's process to exit", lambda: engine_runs(engine) == [], timeout=30)

    signed = signing.sign(db, plan_id, SIGNER, version)
    assert signed.symbol == "Số 01-KH/ĐU"
    await until("plan issued", lambda: plan_status(db, plan_id)["state"] == "issued")
    await until("run completed", lambda: run_state(run_id) == "Completed")
    assert runs_of(db, plan_id) == {run_id}, "one flow run per plan"

    emailed = [d for d in deliveries(db, plan_id) if d["email"]]
    assert emailed and all(d["status"] == "sent" for d in emailed)
    mails = [m for m in read_index(engine.catcher.mail_dir) if m.get("event") == "distributed"]
    assert sorted(r for m in mails for r in m["rcpt_tos"]) == sorted(d["email"] for d in emailed)
    assert all(m["attachments"] and m["attachments"][0].endswith(".pdf") for m in mails)
    assert {m["message_id"] for m in mails} == {d["message_id"] for d in emailed}

    with db.read() as s:
        actions = [e.action for e in s.exec(select(AuditEntry).where(AuditEntry.plan_id == plan_id))]
    assert actions.count("distribute") == 1 and actions.count("complete_distribution") == 1


def runs_of(db: Database, plan_id: int) -> set[str]:
    """Every flow run the Prefect server holds for this plan (tagged with its uid)."""
    uid = snapshot(db, plan_id).uid
    r = httpx.post(
        f"{API_URL}/flow_runs/filter", json={"flow_runs": {"tags": {"all_": [f"plan-{uid}"]}}}, timeout=5
    )
    r.raise_for_status()
    return {run["id"] for run in r.json()}


async def test_the_run_waits_for_the_clerk_to_issue(engine: Engine, dispatcher: object) -> None:
    """Where the văn thư issues in person, the run suspends after the signature like at any human
    step, and the issuance resumes it to distribution."""
    db = engine.db
    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.DRAFT)
    plans.submit(db, plan_id, SECRETARIAT)
    run_id = await suspended_on(db, plan_id, "review-r1")
    version = current_hash(db, plan_id)
    reviews.decide(db, plan_id, R1, Decision.APPROVE, version)
    reviews.decide(db, plan_id, R2, Decision.APPROVE, version)
    await suspended_on(db, plan_id, "sign-v1")

    assert not signing.sign(db, plan_id, SIGNER, version).issued
    await suspended_on(db, plan_id, "issue-v1")
    await until("the suspended run's process to exit", lambda: engine_runs(engine) == [], timeout=30)
    assert plan_status(db, plan_id)["state"] == "awaiting_issuance"

    assert signing.issue(db, plan_id, CLERK).symbol == "Số 01-KH/ĐU"
    await until("plan issued", lambda: plan_status(db, plan_id)["state"] == "issued")
    await until("run completed", lambda: run_state(run_id) == "Completed")
    assert runs_of(db, plan_id) == {run_id}, "one flow run per plan"
