"""Review decisions: one per assigned reviewer, bound to the version hash it was given on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from models.content import short_hash
from models.db import Database
from models.directory import Person
from models.errors import AlreadyDecided, Invalid, Refused
from models.lifecycle import Action, find_transition
from models.lifecycle import Role as R
from models.lifecycle import State as S
from models.plans import Plan, ReviewTask
from models.policies import DECIDED_STATUS, Decision, Outcome, TaskStatus, stage_outcome
from models.services import audit
from models.services.core import (
    Who,
    apply,
    check,
    current_version,
    lock_plan,
    plan_context,
    queue_email,
    resolve_actor,
)

MIN_HASH_PREFIX = 8


def decide(
    db: Database, plan_id: int, actor: str, decision: Decision, version_hash: str, comment: str = ""
) -> Outcome:
    """Record a reviewer's decision; returns the round's outcome after it."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        if who.person is not None:
            _refuse_second_decision(session, plan, who.person)
        transition = check(session, plan, who, Action(decision.value))
        assert who.person is not None
        task = session.exec(
            select(ReviewTask).where(
                ReviewTask.plan_id == plan.id,
                ReviewTask.round == plan.review_round,
                ReviewTask.reviewer_id == who.person.id,
            )
        ).one()
        _check_version(task, version_hash)
        comment = comment.strip()
        if decision is not Decision.APPROVE and not comment:
            raise Invalid("comment", f"a comment is required to {decision.value.replace('_', ' ')}")
        decided = session.execute(
            update(ReviewTask)
            .where(ReviewTask.id == task.id, ReviewTask.status == TaskStatus.OPEN)  # type: ignore[arg-type]
            .values(status=DECIDED_STATUS[decision], comment=comment, decided_at=now)
        )
        if decided.rowcount != 1:  # type: ignore[attr-defined]
            raise AlreadyDecided("task", "this review task was already decided")
        apply(
            session,
            plan,
            transition,
            who,
            now,
            {"round": plan.review_round, "hash": task.version_hash, "comment": comment},
            rows=[task],
        )
        version = current_version(session, plan)
        context = {**plan_context(session, plan, version), "comment": comment, "actor_name": who.name}
        drafter = session.get(Person, plan.drafter_id)
        assert drafter is not None
        if decision is not Decision.APPROVE:
            _cancel_open_tasks(session, plan, now)
            audit.bind(session, audit.round_tasks(session, plan))
            queue_email(
                session,
                event="rejected" if decision is Decision.REJECT else "changes_requested",
                to=drafter,
                key=f"r{plan.review_round}",
                plan=plan,
                context=context,
                now=now,
            )
            return Outcome.REJECTED if decision is Decision.REJECT else Outcome.CHANGES_REQUESTED
        return complete_review_if_done(session, plan, now)


def _refuse_second_decision(session: Session, plan: Plan, person: Person) -> None:
    task = session.exec(
        select(ReviewTask).where(
            ReviewTask.plan_id == plan.id,
            ReviewTask.round == plan.review_round,
            ReviewTask.reviewer_id == person.id,
        )
    ).first()
    if task is not None and task.status != TaskStatus.OPEN:
        when = task.decided_at.isoformat(timespec="seconds") if task.decided_at else "earlier"
        raise AlreadyDecided(
            "task", f"already decided: {task.status} at {when}; a decision cannot be changed"
        )


def _check_version(task: ReviewTask, version_hash: str) -> None:
    given = version_hash.strip().lower()
    if len(given) < MIN_HASH_PREFIX:
        raise Invalid("version", f"give at least {MIN_HASH_PREFIX} characters of the version hash")
    if not task.version_hash.startswith(given):
        raise Refused(
            "version",
            f"version {given} is outdated; the version under review is {short_hash(task.version_hash)}",
        )


def _cancel_open_tasks(session: Session, plan: Plan, now: datetime) -> None:
    session.execute(
        update(ReviewTask)
        .where(ReviewTask.plan_id == plan.id, ReviewTask.status == TaskStatus.OPEN)  # type: ignore[arg-type]
        .values(status=TaskStatus.CANCELLED, decided_at=now)
    )


def complete_review_if_done(session: Session, plan: Plan, now: datetime) -> Outcome:
    """When every reviewer of the round has approved, the engine completes the stage (once)."""
    statuses = [
        TaskStatus(t.status)
        for t in session.exec(
            select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.round == plan.review_round)
        )
    ]
    outcome = stage_outcome(statuses)
    if outcome is not Outcome.APPROVED or plan.state != S.IN_REVIEW:
        return outcome
    transition = find_transition(S.IN_REVIEW, Action.COMPLETE_REVIEW, R.SYSTEM, assigned=True)
    apply(session, plan, transition, Who(None), now, {"round": plan.review_round}, sign_requested_at=now)
    version = current_version(session, plan)
    context = plan_context(session, plan, version)
    drafter = session.get(Person, plan.drafter_id)
    signer = session.get(Person, plan.signer_id)
    assert drafter is not None and signer is not None
    queue_email(
        session,
        event="approved",
        to=drafter,
        key=f"r{plan.review_round}",
        plan=plan,
        context=context,
        now=now,
    )
    queue_email(
        session,
        event="ready_to_sign",
        to=signer,
        key=f"v{version.content_hash[:12]}",
        plan=plan,
        context=context,
        now=now,
    )
    return outcome


def complete_review(db: Database, plan_id: int, actor: str) -> Outcome:
    """The system's 'complete review' as a standalone call (used by the exhaustive tests)."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        check(session, plan, who, Action.COMPLETE_REVIEW)
        outcome = complete_review_if_done(session, plan, now)
        if outcome is not Outcome.APPROVED:
            raise Refused("review", f"the review round is {outcome}, not complete")
        return outcome
