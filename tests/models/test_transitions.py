"""Every (state, action, role, assigned or not) combination, driven through the service layer.

Each refusal must leave the plan, its versions, tasks, audit chain and outbox unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, func, select

from models.db import Database
from models.errors import Refused
from models.lifecycle import TRANSITIONS, Action, Role, State
from models.plans import Plan, PlanVersion, ReviewTask
from models.policies import Decision
from models.records import AuditEntry, Delivery, OutboxMessage, RegisterEntry
from models.services import distribution, plans, recall, replacement, reviews, signing
from models.services.core import SYSTEM
from tests.factory import (
    CLERK,
    OTHER_CLERK,
    OTHER_SECRETARIAT,
    R1,
    R3,
    SECRETARIAT,
    SIGNER,
    SIGNER2,
    build,
    current_hash,
    drain_outbox,
    load_people,
)

ACTORS: list[tuple[Role, bool, str]] = [
    (Role.SECRETARIAT, True, SECRETARIAT),
    (Role.SECRETARIAT, False, OTHER_SECRETARIAT),
    (Role.REVIEWER, True, R1),
    (Role.REVIEWER, False, R3),
    (Role.SIGNER, True, SIGNER),
    (Role.SIGNER, False, SIGNER2),
    (Role.CLERK, True, CLERK),
    (Role.CLERK, False, OTHER_CLERK),
    (Role.SYSTEM, True, SYSTEM),
]


def perform(db: Database, plan_id: int, action: Action, actor: str) -> Any:
    version = current_hash(db, plan_id)
    calls: dict[Action, Callable[[], Any]] = {
        Action.EDIT: lambda: plans.edit_plan(db, plan_id, actor, body="Nội dung đã sửa."),
        Action.SUBMIT: lambda: plans.submit(db, plan_id, actor),
        Action.APPROVE: lambda: reviews.decide(db, plan_id, actor, Decision.APPROVE, version),
        Action.REQUEST_CHANGES: lambda: reviews.decide(
            db, plan_id, actor, Decision.REQUEST_CHANGES, version, "x"
        ),
        Action.REJECT: lambda: reviews.decide(db, plan_id, actor, Decision.REJECT, version, "x"),
        Action.OPEN_STAGE: lambda: reviews.system_step(db, plan_id, actor, Action.OPEN_STAGE),
        Action.COMPLETE_REVIEW: lambda: reviews.complete_review(db, plan_id, actor),
        Action.FAIL_REVIEW: lambda: reviews.system_step(db, plan_id, actor, Action.FAIL_REVIEW),
        Action.SIGN: lambda: signing.sign(db, plan_id, actor, version),
        Action.ISSUE: lambda: signing.issue(db, plan_id, actor),
        Action.DISTRIBUTE: lambda: distribution.start_distribution(db, plan_id, actor),
        Action.COMPLETE_DISTRIBUTION: lambda: distribution.complete_distribution(db, plan_id, actor),
        Action.WITHDRAW: lambda: plans.withdraw(db, plan_id, actor, "thôi"),
        Action.REQUEST_RECALL: lambda: recall.request(db, plan_id, actor, "Sai nội dung"),
        Action.CONFIRM_RECALL: lambda: recall.confirm(db, plan_id, actor),
        Action.CANCEL_RECALL: lambda: recall.cancel(db, plan_id, actor),
        Action.SUPERSEDE: lambda: replacement.supersede(db, plan_id, actor),
    }
    return calls[action]()


def snapshot(db: Database, plan_id: int) -> tuple[Any, ...]:
    with db.read() as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None

        def count(model: Any, *where: Any) -> int:
            return s.exec(select(func.count()).select_from(model).where(*where)).one()

        return (
            (
                plan.state,
                plan.row_version,
                plan.current_version_id,
                plan.number,
                plan.review_round,
                plan.signer_id,
            ),
            count(PlanVersion, col(PlanVersion.plan_id) == plan_id),
            tuple(
                s.exec(
                    select(ReviewTask.status)
                    .where(ReviewTask.plan_id == plan_id)
                    .order_by(col(ReviewTask.id))
                ).all()
            ),
            count(AuditEntry),
            count(OutboxMessage),
            count(Delivery),
            count(RegisterEntry),
        )


def allowed(state: State, action: Action, role: Role, assigned: bool) -> State | None:
    for t in TRANSITIONS:
        if (t.source, t.action, t.role) == (state, action, role) and (assigned or not t.needs_assignment):
            return t.target
    return None


# Allowed by the table but refused by a guard in the state `build` leaves the plan in (one stage,
# two reviewers, nobody has decided).
GUARD_REFUSALS = {
    (State.IN_REVIEW, Action.OPEN_STAGE): "review",
    (State.IN_REVIEW, Action.COMPLETE_REVIEW): "review",
    (State.IN_REVIEW, Action.FAIL_REVIEW): "review",
    (State.ISSUED, Action.SUPERSEDE): "plan",  # no replacement is issued
}
# Allowed by the table to anyone holding the role (the recall rows need no assignment), refused by
# the guard for this person: a signer who neither signed the plan nor heads the organisation, and
# the one who asked for the recall confirming it (`build` asks as SIGNER).
ACTOR_REFUSALS = {
    (State.ISSUED, Action.REQUEST_RECALL, SIGNER2): "as",
    (State.RECALL_REQUESTED, Action.CONFIRM_RECALL, SIGNER): "as",
}
# The engine's own step that follows in the same transaction: with rule "all" a rejection leaves
# the stage unable to complete, so the review fails; where the organisation issues automatically (the
# default), the engine's issuance follows the signature.
FOLLOWED_BY = {
    (State.IN_REVIEW, Action.REJECT): State.REJECTED,
    (State.APPROVED, Action.SIGN): State.SIGNED,
}


@pytest.mark.parametrize("state", list(State))
def test_every_combination(db: Database, state: State) -> None:
    load_people(db)
    plan_id = build(db, state)
    for action in Action:
        for role, assigned, actor in ACTORS:
            target = allowed(state, action, role, assigned)
            if action is Action.COMPLETE_DISTRIBUTION:
                drain_outbox(db, plan_id)
            before = snapshot(db, plan_id)
            case = f"{state} {action} by {role} ({'assigned' if assigned else 'not assigned'})"
            refusal = GUARD_REFUSALS.get((state, action)) or ACTOR_REFUSALS.get((state, action, actor))
            if target is not None and refusal is None:
                perform(db, plan_id, action, actor)
                after = snapshot(db, plan_id)
                assert after[0][0] == FOLLOWED_BY.get((state, action), target), case
                assert after[3] > before[3], f"{case}: no audit entry"
                plan_id = build(db, state)
                continue
            with pytest.raises(Refused) as refused:
                perform(db, plan_id, action, actor)
            if refusal is not None and target is not None:
                assert refused.value.field == refusal, case
            assert snapshot(db, plan_id) == before, f"{case}: a refusal changed something"
            assert str(refused.value), case
