"""Review decisions and stages: tasks bound to the version hash they were given on.

The rules (does a stage complete, with what outcome, who is asked again) are pure, in
`models.review_policy`; this module reads and writes the tasks and takes the transitions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.db import Database
from models.delegation import Kind
from models.directory import Person
from models.errors import AlreadyDecided, Invalid
from models.lifecycle import Action
from models.lifecycle import State as S
from models.plans import Plan, PlanVersion, ReviewTask
from models.policies import DECIDED_STATUS, Decision, Outcome, TaskStatus
from models.review_policy import Next, to_ask
from models.services import audit
from models.services.checks import local_date
from models.services.core import Who, apply, check, lock_plan, resolve_actor
from models.services.delegations import acting, delegate_on
from models.services.stages import plan_stages, round_tasks, where
from models.services.versions import current_version


def decide(
    db: Database,
    plan_id: int,
    actor: str,
    decision: Decision,
    version_hash: str,
    comment: str = "",
    *,
    on_behalf_of: str | None = None,
) -> Outcome:
    """Record a reviewer's decision (or a delegate's, for the reviewer); returns the round's outcome."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        in_round = round_tasks(session, plan)
        # Without a name, a reviewer who is also a delegate acts on whichever task is still open.
        principals = [t.reviewer_id for t in in_round if on_behalf_of or t.status == TaskStatus.OPEN]
        who = acting(
            session, resolve_actor(session, actor), Kind.REVIEW, principals, local_date(now), on_behalf_of
        )
        if who.principal is not None:
            _refuse_second_decision(in_round, who.principal)
        transition = check(session, plan, who, Action(decision.value), seen=version_hash)
        assert who.person is not None and who.principal is not None
        task = next(t for t in in_round if t.reviewer_id == who.principal.id)
        comment = comment.strip()
        if decision is not Decision.APPROVE and not comment:
            raise Invalid(
                "comment", code="review.comment_required", action=decision, words=decision.replace("_", " ")
            )
        decided = session.execute(
            update(ReviewTask)
            .where(ReviewTask.id == task.id, ReviewTask.status == TaskStatus.OPEN)  # type: ignore[arg-type]
            .values(
                status=DECIDED_STATUS[decision],
                comment=comment,
                decided_at=now,
                decided_by_id=who.person.id,
                delegate_id=task.delegate_id if who.on_behalf_of is None else who.person.id,
            )
        )
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            raise AlreadyDecided("task", code="review.task_closed")
        apply(
            session,
            plan,
            transition,
            who,
            now,
            {"round": plan.review_round, "stage": task.stage, "hash": task.version_hash, "comment": comment},
            rows=[task],
            said=(said := {"comment": comment, "actor_name": who.name}),
        )
        if decision is Decision.REQUEST_CHANGES:
            audit.bind(session, _cancel_open_tasks(session, plan, now))
            return Outcome.CHANGES_REQUESTED
        return advance(session, plan, now, said)


def _refuse_second_decision(round_tasks: list[ReviewTask], person: Person) -> None:
    task = next((t for t in round_tasks if t.reviewer_id == person.id), None)
    if task is not None and task.status != TaskStatus.OPEN:
        when = task.decided_at.isoformat(timespec="seconds") if task.decided_at else "earlier"
        raise AlreadyDecided("task", code="review.decided", status=task.status, when=when)


def _cancel_open_tasks(session: Session, plan: Plan, now: datetime) -> list[ReviewTask]:
    """Cancel the plan's open tasks; returns them, for the audit entry to bind."""
    query = select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.status == TaskStatus.OPEN)
    open_tasks = list(session.exec(query).all())
    session.execute(
        update(ReviewTask)
        .where(col(ReviewTask.id).in_([t.id for t in open_tasks]))
        .values(status=TaskStatus.CANCELLED, decided_at=now)
    )
    return open_tasks


def open_stage(
    session: Session, plan: Plan, review_round: int, stage_no: int, version: PlanVersion, now: datetime
) -> None:
    """Create the stage's tasks for the round: an approval of the same version hash stands
    (carried over); everyone else is asked, through their delegate when one is in force (the
    transition that opens the stage then tells them)."""
    stage = plan_stages(session, plan)[stage_no - 1]
    standing = {
        t.reviewer_id
        for t in session.exec(
            select(ReviewTask).where(
                ReviewTask.plan_id == plan.id,
                ReviewTask.status == TaskStatus.APPROVED,
                ReviewTask.version_hash == version.content_hash,
            )
        )
    }
    asked = set(to_ask(stage, standing))
    for reviewer_id in stage.reviewers:
        carried = reviewer_id not in asked
        delegate = None if carried else delegate_on(session, reviewer_id, Kind.REVIEW, local_date(now))
        session.add(
            ReviewTask(
                plan_id=plan.id or 0,
                round=review_round,
                stage=stage_no,
                reviewer_id=reviewer_id,
                version_id=version.id or 0,
                version_hash=version.content_hash,
                created_at=now,
                status=TaskStatus.APPROVED if carried else TaskStatus.OPEN,
                carried_over=carried,
                decided_at=now if carried else None,
                delegate_id=None if delegate is None else delegate.id,
            )
        )
    session.flush()


def advance(session: Session, plan: Plan, now: datetime, said: dict[str, Any] | None = None) -> Outcome:
    """Take the system's steps the current stage's outcome calls for: wait, open the next stage,
    complete the review, or reject it. A decided stage's other open tasks are cancelled."""
    while True:
        outcome, step = where(session, plan)
        if step in (Next.WAIT, Next.RETURN_TO_DRAFTER) or plan.state != S.IN_REVIEW:
            return outcome
        cancelled = _cancel_open_tasks(session, plan, now)  # the step's entry binds them
        detail = {"round": plan.review_round, "stage": plan.review_stage}
        if step is Next.REJECT:
            transition = check(session, plan, Who(None), Action.FAIL_REVIEW)
            apply(session, plan, transition, Who(None), now, detail, rows=cancelled, said=said)
            return Outcome.REJECTED
        if step is Next.COMPLETE:
            _complete(session, plan, now, detail, cancelled)
            return Outcome.APPROVED
        transition = check(session, plan, Who(None), Action.OPEN_STAGE)
        open_stage(
            session, plan, plan.review_round, plan.review_stage + 1, current_version(session, plan), now
        )
        apply(
            session,
            plan,
            transition,
            Who(None),
            now,
            {**detail, "stage": plan.review_stage + 1},
            rows=cancelled,
            review_stage=plan.review_stage + 1,
        )


def _complete(
    session: Session, plan: Plan, now: datetime, detail: dict[str, Any], cancelled: list[ReviewTask]
) -> None:
    transition = check(session, plan, Who(None), Action.COMPLETE_REVIEW)
    apply(session, plan, transition, Who(None), now, detail, rows=cancelled, sign_requested_at=now)


def system_step(db: Database, plan_id: int, actor: str, action: Action) -> Outcome:
    """One of the engine's review steps as a standalone call (used by the exhaustive tests): taken
    only when the current stage's outcome calls for it (the step's guard)."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        check(session, plan, resolve_actor(session, actor), action)
        return advance(session, plan, now)


def complete_review(db: Database, plan_id: int, actor: str) -> Outcome:
    """The system's 'complete review' as a standalone call."""
    return system_step(db, plan_id, actor, Action.COMPLETE_REVIEW)
