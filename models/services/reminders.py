"""Reminders and escalation for review and signing, driven by the database.

Each reminder is claimed by a compare-and-set on the step's counter in the same
transaction that queues its email, so a second run of the reminder flow (or two at once)
sends nothing twice; the email's key (step, number) makes it one email.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from models.db import Database
from models.delegation import Kind
from models.directory import Organisation, Person
from models.lifecycle import Role, State, waiting_on
from models.plans import Plan, ReviewTask
from models.reminders import Nudge, ReminderPolicy, next_nudge
from models.services import audit
from models.services.checks import local_date
from models.services.core import plan_context, queue_email
from models.services.delegations import delegate_on
from models.services.versions import current_version


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
                col(Plan.state).in_(waiting_on(Role.REVIEWER)),
                col(ReviewTask.round) == Plan.review_round,
            )
        ).all()
        signing = session.exec(select(Plan.id).where(col(Plan.state).in_(waiting_on(Role.SIGNER)))).all()
        issuing = session.exec(select(Plan.id).where(col(Plan.state).in_(waiting_on(Role.CLERK)))).all()
    for task_id in tasks:
        with db.write() as session:
            counts[_nudge_reviewer(session, task_id or 0, now)] += 1
    for plan_id in signing:
        with db.write() as session:
            counts[_nudge_signer(session, plan_id or 0, now)] += 1
    for plan_id in issuing:
        with db.write() as session:
            counts[_nudge_clerks(session, plan_id or 0, now)] += 1
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


def _escalation_target(session: Session, policy: ReminderPolicy) -> Person | None:
    return session.exec(select(Person).where(func.lower(Person.email) == policy.escalate_to)).first()


@dataclass(frozen=True)
class _Waiting:
    """A step waiting for one person, and where its reminder counters live."""

    plan: Plan
    person: Person
    step: str  # "review" | "sign"
    since: datetime
    sent: int
    escalated: bool
    table: type[ReviewTask] | type[Plan]  # the row holding the counters
    row_id: int
    sent_column: str
    escalated_column: str
    key: str  # tells this step's emails apart
    also: tuple[Person, ...] = ()  # reminded with `person`: the other văn thư of the organisation


def _nudge(session: Session, waiting: _Waiting, now: datetime) -> str:
    org = session.get(Organisation, waiting.plan.org_id)
    assert org is not None
    policy, holidays = _policy(org)
    nudge = next_nudge(waiting.since, now, waiting.sent, waiting.escalated, policy, holidays)
    if nudge is None:
        return ""
    table = waiting.table
    row = col(table.id) == waiting.row_id
    if nudge.kind == "reminder":
        counter = col(getattr(table, waiting.sent_column))
        claim = update(table).where(row, counter == waiting.sent).values({waiting.sent_column: nudge.number})
        # While a delegation is in force the reminder goes to the person who now holds the step.
        to: Person | None = None
        if waiting.step in (Kind.REVIEW, Kind.SIGN):  # issuance is not delegated: any văn thư does it
            to = delegate_on(session, waiting.person.id or 0, Kind(waiting.step), local_date(now))
        to = to or waiting.person
    else:
        flag = col(getattr(table, waiting.escalated_column))
        claim = update(table).where(row, flag.is_(False)).values({waiting.escalated_column: True})
        to = _escalation_target(session, policy)
    # The compare-and-set is the claim: a concurrent or repeated run finds it taken.
    if session.execute(claim).rowcount != 1 or to is None:  # type: ignore[attr-defined]
        return ""
    plan = waiting.plan
    told = [to, *waiting.also] if nudge.kind == "reminder" else [to]
    for person in told:
        queue_email(
            session,
            event=nudge.kind,
            to=person,
            key=f"{waiting.key}:n{nudge.number}",
            plan=plan,
            context=_context(session, plan, nudge, waiting.person, waiting.step),
            now=now,
        )
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor="system",
        action=nudge.kind,
        now=now,
        detail={"step": waiting.step, "to": ", ".join(p.email for p in told), "number": nudge.number},
    )
    return nudge.kind


def _nudge_reviewer(session: Session, task_id: int, now: datetime) -> str:
    task = session.get(ReviewTask, task_id)
    plan = session.get(Plan, task.plan_id) if task else None
    if task is None or plan is None or task.status != "open":
        return ""
    reviewer = session.get(Person, task.reviewer_id)
    assert reviewer is not None
    waiting = _Waiting(
        plan,
        reviewer,
        "review",
        task.created_at,
        task.reminders_sent,
        task.escalated,
        ReviewTask,
        task_id,
        "reminders_sent",
        "escalated",
        f"t{task_id}",
    )
    return _nudge(session, waiting, now)


def _nudge_signer(session: Session, plan_id: int, now: datetime) -> str:
    plan = session.get(Plan, plan_id)
    if (
        plan is None
        or plan.state != State.APPROVED
        or plan.sign_requested_at is None
        or plan.signer_id is None
    ):
        return ""
    signer = session.get(Person, plan.signer_id)
    assert signer is not None
    waiting = _Waiting(
        plan,
        signer,
        "sign",
        plan.sign_requested_at,
        plan.sign_reminders_sent,
        plan.sign_escalated,
        Plan,
        plan_id,
        "sign_reminders_sent",
        "sign_escalated",
        f"sign-v{plan.current_version_id}",
    )
    return _nudge(session, waiting, now)


def _nudge_clerks(session: Session, plan_id: int, now: datetime) -> str:
    """A signed plan waiting to be issued: its organisation's văn thư are reminded together (any of
    them issues it), counted from the signature on the plan's signing counters."""
    plan = session.get(Plan, plan_id)
    if plan is None or plan.state != State.AWAITING_ISSUANCE or plan.signed_at is None:
        return ""
    people = session.exec(select(Person).where(Person.org_id == plan.org_id).order_by(col(Person.id))).all()
    clerks = [p for p in people if Role.CLERK in p.roles]
    if not clerks:
        return ""
    waiting = _Waiting(
        plan,
        clerks[0],
        "issue",
        plan.signed_at,
        plan.sign_reminders_sent,
        plan.sign_escalated,
        Plan,
        plan_id,
        "sign_reminders_sent",
        "sign_escalated",
        f"issue-v{plan.current_version_id}",
        tuple(clerks[1:]),
    )
    return _nudge(session, waiting, now)
