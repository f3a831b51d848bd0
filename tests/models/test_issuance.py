"""The văn thư's issuance step: signing allocates no number; issuing does, gap-free.

Where the organisation has automatic issuance off, a signed plan waits for a person with the
clerk role like any human step (its wait key, the inbox, the offered actions, an email with a link),
and a signature that is never issued (withdrawn) leaves no gap in the register.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from models.db import Database
from models.errors import NotAllowed, Refused
from models.lifecycle import Action, State, wait_key
from models.plans import Plan
from models.records import AuditEntry, OutboxMessage, RegisterEntry
from models.services import plans, signing, steps, workspace
from models.services.actors import SYSTEM
from models.services.queries import open_tasks, plan_status
from models.services.runs import snapshot
from tests.factory import (
    CLERK,
    OTHER_CLERK,
    SECRETARIAT,
    SIGNER,
    build,
    current_hash,
    load_people,
)


def _state(db: Database, plan_id: int) -> tuple[object, ...]:
    """What a refusal must leave as it was."""
    with db.read() as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None
        counts = tuple(
            s.exec(select(func.count()).select_from(model)).one()
            for model in (AuditEntry, OutboxMessage, RegisterEntry)
        )
        return plan.state, plan.row_version, plan.number, plan.symbol, counts


def _emails(db: Database, plan_id: int, event: str) -> list[str]:
    with db.read() as s:
        rows = s.exec(
            select(OutboxMessage.to_email).where(
                OutboxMessage.plan_id == plan_id, OutboxMessage.event == event
            )
        ).all()
        return [r or "" for r in rows]


def test_the_clerk_issues_a_signed_plan_in_person(db: Database) -> None:
    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.APPROVED)

    signed = signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    assert (signed.number, signed.symbol, signed.issued) == (None, "", False)
    status = plan_status(db, plan_id)
    assert (status["state"], status["number"], status["symbol"]) == ("awaiting_issuance", None, None)

    # A human step like the others: the flow's wait key, the clerk's inbox and actions, an email.
    assert snapshot(db, plan_id).expected_wait_key == wait_key(State.AWAITING_ISSUANCE, 1, 1) == "issue-v1"
    assert not snapshot(db, plan_id).automatic_issuance
    [task] = [t for t in open_tasks(db, CLERK) if t["plan"] == plan_id]
    assert task["step"] == "issue"
    assert steps.offered(db, plan_id, CLERK) == [Action.ISSUE]
    assert Action.ISSUE not in steps.offered(db, plan_id, SECRETARIAT)
    assert steps.offered(db, plan_id, SECRETARIAT) == [Action.WITHDRAW]
    assert _emails(db, plan_id, "ready_to_issue") == [CLERK]
    assert [(w["step"], w["email"]) for w in workspace.pending(db, plan_id)] == [("issue", CLERK)]

    # Nobody else issues it, and the engine does not while the văn thư issues in person.
    before = _state(db, plan_id)
    with pytest.raises(NotAllowed) as by_engine:
        signing.issue(db, plan_id, SYSTEM)
    assert by_engine.value.code == "issue.by_clerk"
    with pytest.raises(NotAllowed) as elsewhere:
        signing.issue(db, plan_id, OTHER_CLERK)
    assert elsewhere.value.code == "plan.not_assigned"
    with pytest.raises(NotAllowed) as signer:
        signing.issue(db, plan_id, SIGNER)
    assert signer.value.code == "plan.wrong_role"
    with pytest.raises(Refused):
        signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))  # signed once
    assert _state(db, plan_id) == before

    issued = signing.issue(db, plan_id, CLERK)
    assert (issued.number, issued.symbol) == (1, "Số 01-KH/ĐU")
    status = plan_status(db, plan_id)
    assert (status["state"], status["symbol"]) == ("signed", "Số 01-KH/ĐU")
    with db.read() as s:
        entries = s.exec(
            select(AuditEntry).where(AuditEntry.plan_id == plan_id).order_by(col(AuditEntry.seq))
        ).all()
    sign, issue = entries[-2:]
    assert (sign.action, sign.actor, sign.to_state) == ("sign", SIGNER, "awaiting_issuance")
    assert "number" not in sign.detail
    assert (issue.action, issue.actor, issue.to_state, issue.detail["number"]) == (
        "issue",
        CLERK,
        "signed",
        1,
    )
    assert _emails(db, plan_id, "signed") == ["vanphong@hamliem.example.vn"]
    assert [t for t in open_tasks(db, CLERK) if t["plan"] == plan_id] == []
    with pytest.raises(Refused):
        signing.issue(db, plan_id, CLERK)  # issued once


def test_a_signature_never_issued_leaves_no_gap(db: Database) -> None:
    load_people(db, automatic_issuance=False)
    abandoned, kept, later = (build(db, State.APPROVED) for _ in range(3))
    for plan_id in (abandoned, kept):
        signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    plans.withdraw(db, abandoned, SECRETARIAT, "không phát hành nữa")
    assert plan_status(db, abandoned)["state"] == "withdrawn"
    assert _emails(db, abandoned, "withdrawn") == [SIGNER]  # the signer is told
    assert signing.issue(db, kept, CLERK).number == 1
    signing.sign(db, later, SIGNER, current_hash(db, later))
    assert signing.issue(db, later, CLERK).number == 2
    with db.read() as s:
        numbers = s.exec(select(RegisterEntry.number).order_by(col(RegisterEntry.number))).all()
        withdrawn = s.get(Plan, abandoned)
    assert list(numbers) == [1, 2] and withdrawn is not None and withdrawn.number is None


def test_automatic_issuance_numbers_at_signing_and_the_engine_issues_a_waiting_plan(db: Database) -> None:
    load_people(db)  # the default: the organisation issues automatically
    plan_id = build(db, State.APPROVED)
    signed = signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    assert (signed.number, plan_status(db, plan_id)["state"]) == (1, "signed")
    assert _emails(db, plan_id, "ready_to_issue") == []
    with db.read() as s:
        actors = s.exec(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.plan_id == plan_id)
            .order_by(col(AuditEntry.seq))
        ).all()
    assert list(actors)[-2:] == [("sign", SIGNER), ("issue", SYSTEM)]

    # Signed while the văn thư issued in person, then the setting turned on: the engine issues it.
    waiting = build(db, State.AWAITING_ISSUANCE)
    assert snapshot(db, waiting).automatic_issuance
    assert Action.ISSUE not in steps.offered(db, waiting, SECRETARIAT)
    assert signing.issue(db, waiting, SYSTEM).number == 2


def test_the_clerk_issues_from_the_command_line(db: Database, db_url: str, tmp_path: Path) -> None:
    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.APPROVED)
    env = {**os.environ, "DATABASE_URL": db_url, "BANHANH_DATA_DIR": str(tmp_path)}

    def banhanh(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cli", *args], env=env, text=True, capture_output=True, check=False
        )

    version = current_hash(db, plan_id)
    signed = banhanh("plan", "sign", str(plan_id), "--version", version, "--as", SIGNER)
    assert signed.returncode == 0 and "waiting for the văn thư" in signed.stdout, signed.stderr
    tasks = banhanh("tasks", "--as", CLERK)
    assert tasks.returncode == 0 and "issue" in tasks.stdout, tasks.stdout + tasks.stderr
    refused = banhanh("plan", "issue", str(plan_id), "--as", SIGNER)
    assert refused.returncode == 3 and "[plan.wrong_role]" in refused.stderr, refused.stderr
    issued = banhanh("plan", "issue", str(plan_id), "--as", CLERK)
    assert issued.returncode == 0 and "Số 01-KH/ĐU" in issued.stdout, issued.stderr
    assert plan_status(db, plan_id)["state"] == "signed"


def test_the_flow_step_issues_only_for_an_organisation_that_issues_automatically(db: Database) -> None:
    """The issue-plan flow's step for a plan left waiting: nothing while the văn thư issues in
    person, the number once the organisation issues automatically."""
    from flows.steps import issue

    load_people(db, automatic_issuance=False)
    plan_id = build(db, State.APPROVED)
    signing.sign(db, plan_id, SIGNER, current_hash(db, plan_id))
    before = _state(db, plan_id)
    issue(plan_id, db)
    assert _state(db, plan_id) == before
    load_people(db)
    assert snapshot(db, plan_id).automatic_issuance
    issue(plan_id, db)
    status = plan_status(db, plan_id)
    assert (status["state"], status["symbol"]) == ("signed", "Số 01-KH/ĐU")
    issue(plan_id, db)  # again: already issued, nothing more
    assert plan_status(db, plan_id)["number"] == 1
