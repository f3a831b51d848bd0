"""Reminders and escalation for review and signing, driven by the database.

Each reminder is claimed by a compare-and-set on the step's counter in the same
transaction that queues its email, so a second run of the reminder flow (or two at once)
sends nothing twice; the email's key (step, number) makes it one email.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from models.db import Database
from models.directory import Organisation, Person
from models.lifecycle import State
from models.plans import Plan, ReviewTask
from models.reminders import Nudge, ReminderPolicy, next_nudge
from models.services import audit
from models.services.core import current_version, plan_context, queue_email


def _policy(org: Organisation) -> tuple[ReminderPolicy, frozenset[date]]:
    return ReminderPolicy(**org.reminders), frozenset(date.fromisoformat(d) for d in org.holidays)


def send_due_reminders(db: Database) -> dict[str, int]:
    """Queue every reminder and escalation due now; returns how many of each."""
    now = db.clock()
    counts: Counter[str] = Counter()
    with db.read() as session:
        tasks = session.exec(
            select(ReviewTask.id)
            .join(Plan, col(Plan.id) == ReviewTask.plan_id)
            .where(
                ReviewTask.status == "open",
                Plan.state == State.IN_REVIEW,
                col(ReviewTask.round) == Plan.review_round,
            )
        ).all()
        signing = session.exec(select(Plan.id).where(Plan.state == State.APPROVED)).all()
    for task_id in tasks:
        with db.write() as session:
            counts[_nudge_reviewer(session, task_id or 0, now)] += 1
    for plan_id in signing:
        with db.write() as session:
            counts[_nudge_signer(session, plan_id or 0, now)] += 1
    counts.pop("", None)
    return dict(counts)


def _context(session: Session, plan: Plan, nudge: Nudge, waiting_for: Person, step: str) -> dict[str, Any]:
    return {
        **plan_context(session, plan, current_version(session, plan)),
        "due": nudge.due.isoformat(),
        "reminder_number": nudge.number,
        "waiting_for": waiting_for.name,
        "waiting_for_email": waiting_for.email,
        "step": step,
    }


def _escalation_target(session: Session, org: Organisation, policy: ReminderPolicy) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.email) == policy.escalate_to)).first()


def _nudge_reviewer(session: Session, task_id: int, now: datetime) -> str:
    task = session.get(ReviewTask, task_id)
    plan = session.get(Plan, task.plan_id) if task else None
    if task is None or plan is None or task.status != "open":
        return ""
    org = session.get(Organisation, plan.org_id)
    reviewer = session.get(Person, task.reviewer_id)
    assert org is not None and reviewer is not None
    policy, holidays = _policy(org)
    nudge = next_nudge(task.created_at, now, task.reminders_sent, task.escalated, policy, holidays)
    if nudge is None:
        return ""
    if nudge.kind == "reminder":
        claimed = session.execute(
            update(ReviewTask)
            .where(
                col(ReviewTask.id) == task_id,
                col(ReviewTask.reminders_sent) == task.reminders_sent,
            )
            .values(reminders_sent=nudge.number)
        )
        to: Person | None = reviewer
    else:
        claimed = session.execute(
            update(ReviewTask)
            .where(
                col(ReviewTask.id) == task_id,
                col(ReviewTask.escalated).is_(False),
            )
            .values(escalated=True)
        )
        to = _escalation_target(session, org, policy)
    if claimed.rowcount != 1 or to is None:  # type: ignore[attr-defined]
        return ""
    queue_email(
        session,
        event=nudge.kind,
        to=to,
        key=f"t{task_id}:n{nudge.number}",
        plan=plan,
        context=_context(session, plan, nudge, reviewer, "review"),
        now=now,
    )
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor="system",
        action=nudge.kind,
        now=now,
        detail={"step": "review", "task": task_id, "to": to.email, "number": nudge.number},
    )
    return nudge.kind


def _nudge_signer(session: Session, plan_id: int, now: datetime) -> str:
    plan = session.get(Plan, plan_id)
    if (
        plan is None
        or plan.state != State.APPROVED
        or plan.sign_requested_at is None
        or plan.signer_id is None
    ):
        return ""
    org = session.get(Organisation, plan.org_id)
    signer = session.get(Person, plan.signer_id)
    assert org is not None and signer is not None
    policy, holidays = _policy(org)
    nudge = next_nudge(
        plan.sign_requested_at, now, plan.sign_reminders_sent, plan.sign_escalated, policy, holidays
    )
    if nudge is None:
        return ""
    if nudge.kind == "reminder":
        claimed = session.execute(
            update(Plan)
            .where(
                col(Plan.id) == plan_id,
                col(Plan.sign_reminders_sent) == plan.sign_reminders_sent,
            )
            .values(sign_reminders_sent=nudge.number)
        )
        to: Person | None = signer
    else:
        claimed = session.execute(
            update(Plan)
            .where(
                col(Plan.id) == plan_id,
                col(Plan.sign_escalated).is_(False),
            )
            .values(sign_escalated=True)
        )
        to = _escalation_target(session, org, policy)
    if claimed.rowcount != 1 or to is None:  # type: ignore[attr-defined]
        return ""
    queue_email(
        session,
        event=nudge.kind,
        to=to,
        key=f"sign-v{plan.current_version_id}:n{nudge.number}",
        plan=plan,
        context=_context(session, plan, nudge, signer, "sign"),
        now=now,
    )
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor="system",
        action=nudge.kind,
        now=now,
        detail={"step": "sign", "to": to.email, "number": nudge.number},
    )
    return nudge.kind
