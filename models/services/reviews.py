"""Review decisions and stages: tasks bound to the version hash they were given on.

The rules (does a stage complete, with what outcome, who is asked again) are pure, in
`models.review_policy`; this module reads and writes the tasks and takes the transitions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.content import short_hash
from models.db import Database
from models.delegation import Kind
from models.directory import Person
from models.errors import AlreadyDecided, Invalid, Refused
from models.lifecycle import Action, find_transition
from models.lifecycle import Role as R
from models.lifecycle import State as S
from models.plans import Plan, PlanReviewer, PlanStage, PlanVersion, ReviewTask
from models.policies import DECIDED_STATUS, Decision, Outcome, TaskStatus
from models.review_policy import Next, Rule, Stage, next_step, stage_outcome, to_ask
from models.services import audit
from models.services.checks import local_date
from models.services.core import Who, apply, check, lock_plan, plan_context, queue_email, resolve_actor
from models.services.delegations import acting, delegate_on
from models.services.versions import current_version

MIN_HASH_PREFIX = 8


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
        round_tasks = _round_tasks(session, plan)
        # Without a name, a reviewer who is also a delegate acts on whichever task is still open.
        principals = [t.reviewer_id for t in round_tasks if on_behalf_of or t.status == TaskStatus.OPEN]
        who = acting(
            session, resolve_actor(session, actor), Kind.REVIEW, principals, local_date(now), on_behalf_of
        )
        if who.principal is not None:
            _refuse_second_decision(round_tasks, who.principal)
        transition = check(session, plan, who, Action(decision.value))
        assert who.person is not None and who.principal is not None
        task = next(t for t in round_tasks if t.reviewer_id == who.principal.id)
        _check_version(task, version_hash)
        comment = comment.strip()
        if decision is not Decision.APPROVE and not comment:
            raise Invalid("comment", f"a comment is required to {decision.value.replace('_', ' ')}")
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
            raise AlreadyDecided("task", "this review task was already decided")
        apply(
            session,
            plan,
            transition,
            who,
            now,
            {"round": plan.review_round, "stage": task.stage, "hash": task.version_hash, "comment": comment},
            rows=[task],
        )
        said = {"comment": comment, "actor_name": who.name}
        if decision is Decision.REQUEST_CHANGES:
            audit.bind(session, _cancel_open_tasks(session, plan, now))
            _tell_drafter(session, plan, "changes_requested", said, now)
            return Outcome.CHANGES_REQUESTED
        return advance(session, plan, now, said)


def _round_tasks(session: Session, plan: Plan) -> list[ReviewTask]:
    return list(
        session.exec(
            select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.round == plan.review_round)
        ).all()
    )


def _refuse_second_decision(round_tasks: list[ReviewTask], person: Person) -> None:
    task = next((t for t in round_tasks if t.reviewer_id == person.id), None)
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


def _tell_drafter(session: Session, plan: Plan, event: str, said: dict[str, Any], now: datetime) -> None:
    drafter = session.get(Person, plan.drafter_id)
    assert drafter is not None
    context = {**plan_context(session, plan, current_version(session, plan)), **said}
    queue_email(
        session, event=event, to=drafter, key=f"r{plan.review_round}", plan=plan, context=context, now=now
    )


def plan_stages(session: Session, plan: Plan) -> list[Stage[int]]:
    """The plan's stages in order; a plan without stage rows has one: every reviewer, rule all."""
    reviewers = session.exec(select(PlanReviewer).where(PlanReviewer.plan_id == plan.id)).all()
    rows = session.exec(
        select(PlanStage).where(PlanStage.plan_id == plan.id).order_by(col(PlanStage.seq))
    ).all() or [PlanStage(plan_id=plan.id or 0, seq=1)]
    return [
        Stage(
            reviewers=tuple(r.person_id for r in reviewers if r.stage == row.seq),
            rule=Rule(row.rule),
            needed=row.needed,
            mandatory=frozenset(r.person_id for r in reviewers if r.stage == row.seq and r.mandatory),
            name=row.name,
        )
        for row in rows
    ]


def open_stage(session: Session, plan: Plan, stage_no: int, version: PlanVersion, now: datetime) -> None:
    """Create the stage's tasks for this round: an approval of the same version hash stands
    (carried over); everyone else is asked, through their delegate when one is in force."""
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
    context = plan_context(session, plan, version)
    for reviewer_id in stage.reviewers:
        carried = reviewer_id not in asked
        reviewer = session.get(Person, reviewer_id)
        assert reviewer is not None
        delegate = None if carried else delegate_on(session, reviewer_id, Kind.REVIEW, local_date(now))
        session.add(
            ReviewTask(
                plan_id=plan.id or 0,
                round=plan.review_round,
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
        if carried:
            continue
        key = f"v{version.content_hash[:12]}:r{plan.review_round}"
        if delegate is not None:
            key, context = f"{key}:for:{reviewer.email}", {**context, "on_behalf_of": reviewer.name}
        queue_email(
            session,
            event="review_requested",
            to=delegate or reviewer,
            key=key,
            plan=plan,
            context=context,
            now=now,
        )
    session.flush()


def _where(session: Session, plan: Plan) -> tuple[Outcome, Next]:
    """The current stage's outcome and the step it calls for."""
    stages = plan_stages(session, plan)
    statuses = {
        t.reviewer_id: TaskStatus(t.status)
        for t in _round_tasks(session, plan)
        if t.stage == plan.review_stage
    }
    outcome = stage_outcome(stages[plan.review_stage - 1], statuses)
    return outcome, next_step(outcome, plan.review_stage, len(stages))


def advance(session: Session, plan: Plan, now: datetime, said: dict[str, Any] | None = None) -> Outcome:
    """Take the system's steps the current stage's outcome calls for: wait, open the next stage,
    complete the review, or reject it. A decided stage's other open tasks are cancelled."""
    while True:
        outcome, step = _where(session, plan)
        if step in (Next.WAIT, Next.RETURN_TO_DRAFTER) or plan.state != S.IN_REVIEW:
            return outcome
        cancelled = _cancel_open_tasks(session, plan, now)  # the step's entry binds them
        detail = {"round": plan.review_round, "stage": plan.review_stage}
        if step is Next.REJECT:
            transition = find_transition(S.IN_REVIEW, Action.FAIL_REVIEW, R.SYSTEM, assigned=True)
            apply(session, plan, transition, Who(None), now, detail, rows=cancelled)
            _tell_drafter(session, plan, "rejected", said or {}, now)
            return Outcome.REJECTED
        if step is Next.COMPLETE:
            _complete(session, plan, now, detail, cancelled)
            return Outcome.APPROVED
        transition = find_transition(S.IN_REVIEW, Action.OPEN_STAGE, R.SYSTEM, assigned=True)
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
        open_stage(session, plan, plan.review_stage, current_version(session, plan), now)


def _complete(
    session: Session, plan: Plan, now: datetime, detail: dict[str, Any], cancelled: list[ReviewTask]
) -> None:
    transition = find_transition(S.IN_REVIEW, Action.COMPLETE_REVIEW, R.SYSTEM, assigned=True)
    apply(session, plan, transition, Who(None), now, detail, rows=cancelled, sign_requested_at=now)
    version = current_version(session, plan)
    context = plan_context(session, plan, version)
    _tell_drafter(session, plan, "approved", {}, now)
    signer = session.get(Person, plan.signer_id)
    assert signer is not None
    key = f"v{version.content_hash[:12]}"
    delegate = delegate_on(session, signer.id or 0, Kind.SIGN, local_date(now))
    if delegate is not None:
        key, context = f"{key}:for:{signer.email}", {**context, "on_behalf_of": signer.name}
    queue_email(
        session, event="ready_to_sign", to=delegate or signer, key=key, plan=plan, context=context, now=now
    )


SYSTEM_STEPS = {
    Action.OPEN_STAGE: Next.OPEN_NEXT_STAGE,
    Action.COMPLETE_REVIEW: Next.COMPLETE,
    Action.FAIL_REVIEW: Next.REJECT,
}


def system_step(db: Database, plan_id: int, actor: str, action: Action) -> Outcome:
    """One of the engine's review steps as a standalone call (used by the exhaustive tests): taken
    only when the current stage's outcome calls for it."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        check(session, plan, resolve_actor(session, actor), action)
        outcome, step = _where(session, plan)
        if step is not SYSTEM_STEPS[action]:
            raise Refused(
                "review", f"review stage {plan.review_stage} is {outcome}; it does not call for {action}"
            )
        return advance(session, plan, now)


def complete_review(db: Database, plan_id: int, actor: str) -> Outcome:
    """The system's 'complete review' as a standalone call."""
    return system_step(db, plan_id, actor, Action.COMPLETE_REVIEW)
