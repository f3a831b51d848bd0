"""Who is told of a transition's events: the one resolver `core.apply` queues them through.

Each addressee carries the key that makes its email unique (a retry of the same step queues
nothing new) and what its email says beyond the plan's context (on whose behalf a delegate is
asked). The issued plan's own copies (`distributed`) go to the resolved recipients with their
delivery rows: `distribution` queues those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models.delegation import Kind
from models.directory import Organisation, Person
from models.events import Event
from models.lifecycle import Role, State, Transition
from models.plans import Plan, PlanVersion, ReviewTask
from models.policies import TaskStatus
from models.recalls import Recall
from models.services.checks import local_date
from models.services.delegations import delegate_on


@dataclass(frozen=True)
class Addressee:
    person: Person
    key: str
    context: dict[str, Any] = field(default_factory=dict)


def addressees(
    session: Session, plan: Plan, transition: Transition, event: Event, version: PlanVersion, now: datetime
) -> list[Addressee]:
    """Who `event` of `transition` goes to, the plan as the transition left it."""
    at_round, at_version = f"r{plan.review_round}", f"v{version.content_hash[:12]}"
    if event in (Event.CHANGES_REQUESTED, Event.REJECTED, Event.APPROVED):
        return [Addressee(_person(session, plan.drafter_id), at_round)]
    if event is Event.SIGNED:
        return [Addressee(_person(session, plan.drafter_id), at_version)]
    if event is Event.REVIEW_REQUESTED:
        return [
            _for(session, task, f"{at_version}:{at_round}") for task in _open_tasks(session, plan, stage=True)
        ]
    if event is Event.READY_TO_SIGN:
        signer = _person(session, plan.signer_id)
        delegate = delegate_on(session, signer.id or 0, Kind.SIGN, local_date(now))
        return [_on_behalf(signer, delegate, at_version)]
    if event is Event.READY_TO_ISSUE:
        org = session.get(Organisation, plan.org_id)
        if org is None or org.automatic_issuance:
            return []  # the engine issues it in this same transaction
        clerks = session.exec(select(Person).where(Person.org_id == plan.org_id)).all()
        return [Addressee(p, at_version) for p in clerks if Role.CLERK in p.roles]
    if event is Event.WITHDRAWN:
        told = [_person(session, t.reviewer_id) for t in _open_tasks(session, plan, stage=False)]
        if transition.source in (State.APPROVED, State.AWAITING_ISSUANCE) and plan.signer_id:
            told.append(_person(session, plan.signer_id))
        return [Addressee(person, at_round) for person in told]
    if event in (Event.RECALL_NOTICE, Event.SUPERSEDED):
        return []  # to the plan's recipients, not its people: queued with their copies (recall, replacement)
    if event in (Event.RECALL_REQUESTED, Event.RECALLED):
        return _recall_told(session, plan, event)
    if event is Event.ISSUED:
        people = session.exec(select(Person).where(Person.org_id == plan.org_id)).all()
        told_by_id = {p.id: p for p in people if Role.SECRETARIAT in p.roles or p.id == plan.drafter_id}
        return [Addressee(person, f"p{plan.id}") for person in told_by_id.values()]
    return []


def _recall_told(session: Session, plan: Plan, event: Event) -> list[Addressee]:
    """A recall asked: whoever may confirm it (the organisation's other signers, its head). Confirmed:
    the secretariat, the drafter and the one who asked."""
    recall = session.exec(
        select(Recall).where(Recall.plan_id == plan.id).order_by(col(Recall.id).desc())
    ).first()
    assert recall is not None, "a recall step has its request"
    people = session.exec(select(Person).where(Person.org_id == plan.org_id).order_by(col(Person.id))).all()
    if event is Event.RECALL_REQUESTED:
        org = session.get(Organisation, plan.org_id)
        head = (org.head_email if org else "").strip().lower()
        told = [p for p in people if Role.SIGNER in p.roles or (head and p.email.lower() == head)]
        told = [p for p in told if p.id != recall.requested_by_id]
    else:
        told = [
            p
            for p in people
            if Role.SECRETARIAT in p.roles or p.id in (plan.drafter_id, recall.requested_by_id)
        ]
    return [Addressee(p, f"recall{recall.id}") for p in told]


def _person(session: Session, person_id: int | None) -> Person:
    person = session.get(Person, person_id)
    assert person is not None
    return person


def _open_tasks(session: Session, plan: Plan, stage: bool) -> list[ReviewTask]:
    """The plan's open review tasks: of its current round and stage, or all of them."""
    query = select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.status == TaskStatus.OPEN)
    if stage:
        query = query.where(ReviewTask.round == plan.review_round, ReviewTask.stage == plan.review_stage)
    return list(session.exec(query).all())


def _for(session: Session, task: ReviewTask, key: str) -> Addressee:
    delegate = None if task.delegate_id is None else _person(session, task.delegate_id)
    return _on_behalf(_person(session, task.reviewer_id), delegate, key)


def _on_behalf(person: Person, delegate: Person | None, key: str) -> Addressee:
    """The person, or their delegate in force, told on their behalf (a key of its own)."""
    if delegate is None:
        return Addressee(person, key)
    return Addressee(delegate, f"{key}:for:{person.email}", {"on_behalf_of": person.name})
