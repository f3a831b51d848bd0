"""Recall of an issued plan (thu hồi, NĐ 30/2020 Art. 18), as lifecycle steps.

The signer or the head asks, with a reason (`request`); a second person with signing authority
confirms (`confirm`) or someone cancels (`cancel`). On confirmation every recipient that got a
copy is asked to destroy it: an emailed one by a notice whose one-time link confirms it
(`destroy`), one on the exchange channel by a recall package (BussinessDocType 1) it answers
with 15 or 16 (`exchange.delivery.record_status`). Reminders go until each has confirmed or the
secretariat records it by hand (`mark`). The plan and its rows stay, frozen by its state: the
table has no step out of `recalled`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models.content import nfc
from models.db import Database
from models.directory import Organisation, Person
from models.errors import Invalid, NotAllowed, NotFound, WrongState
from models.events import Event
from models.lifecycle import Action, Role, State
from models.plans import Plan, PlanVersion
from models.recalls import Recall
from models.records import Delivery, OutboxMessage
from models.reminders import ReminderPolicy, next_nudge
from models.services import audit
from models.services.acknowledgements import delivery_by_token, token_hash
from models.services.core import (
    SYSTEM,
    Who,
    apply,
    check,
    lock_plan,
    message_id_for,
    plan_context,
    queue_message,
    resolve_actor,
)
from models.services.versions import current_version

REASON_LIMIT = 500
LINK_PREFIX = "/recall/"
RECALL_EVENT = "recall"  # the outbox event of a recall package (exchange.delivery.RECALL_EVENT)
REMIND_ACTION = "remind_recall"
# A copy's recall status: waiting for its answer, or settled (destroyed, refused, marked, not_sent).
WAITING = ("notified", "by_hand")


def _reason(reason: str) -> str:
    reason = nfc(reason or "").strip()
    if not reason:
        raise Invalid("reason", code="recall.reason_required")
    if "\x00" in reason or len(reason) > REASON_LIMIT:
        raise Invalid("reason", code="recall.reason_too_long", limit=REASON_LIMIT)
    return reason


def _open_recall(session: Session, plan: Plan) -> Recall:
    recall = session.exec(
        select(Recall)
        .where(Recall.plan_id == plan.id, Recall.status == "requested")
        .order_by(col(Recall.id).desc())
    ).first()
    assert recall is not None, "a plan whose recall is requested has its request"
    return recall


def last_recall(session: Session, plan_id: int) -> Recall | None:
    return session.exec(
        select(Recall).where(Recall.plan_id == plan_id).order_by(col(Recall.id).desc())
    ).first()


def request(db: Database, plan_id: int, actor: str, reason: str) -> int:
    """issued → recall_requested, by the plan's signer or the organisation's head; returns the
    request's id. The reason is required: it goes to the confirmer and to every recipient."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.REQUEST_RECALL)
        reason = _reason(reason)
        assert who.person is not None and who.person.id is not None
        recall = Recall(plan_id=plan_id, reason=reason, requested_by_id=who.person.id, requested_at=now)
        session.add(recall)
        session.flush()
        said = {"reason": reason, "actor_name": who.name}
        apply(session, plan, transition, who, now, {"reason": reason}, rows=[recall], said=said)
        return recall.id or 0


def _decide(session: Session, plan: Plan, who: Who, status: str, now: datetime) -> Recall:
    """The open recall, confirmed or cancelled by `who`."""
    recall = _open_recall(session, plan)
    assert who.person is not None
    recall.status, recall.decided_by_id, recall.decided_at = status, who.person.id, now
    session.add(recall)
    return recall


def cancel(db: Database, plan_id: int, actor: str) -> None:
    """recall_requested → issued: the recall is not confirmed; nobody was told to destroy anything."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.CANCEL_RECALL)
        recall = _decide(session, plan, who, "cancelled", now)
        apply(session, plan, transition, who, now, {"recall": recall.id}, rows=[recall])


def confirm(db: Database, plan_id: int, actor: str) -> int:
    """recall_requested → recalled, by a second person; every recipient with a copy is asked to
    destroy it. Returns how many notices (emails and packages) were queued."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.CONFIRM_RECALL)
        recall = _decide(session, plan, who, "confirmed", now)
        requester = session.get(Person, recall.requested_by_id)
        said = {
            "reason": recall.reason,
            "actor_name": who.name,
            "requester_email": requester.email if requester else "",
        }
        detail = {"recall": recall.id, "reason": recall.reason}
        apply(session, plan, transition, who, now, detail, rows=[recall], said=said)
        return _notify_recipients(session, plan, recall, now)


def _notify_recipients(session: Session, plan: Plan, recall: Recall, now: datetime) -> int:
    """A recall notice for every copy that reached its recipient; the others are settled or left
    to the secretariat (a copy delivered by hand is recalled by hand)."""
    version = current_version(session, plan)
    context = {**plan_context(session, plan, version), "reason": recall.reason}
    queued = 0
    deliveries = session.exec(select(Delivery).where(Delivery.plan_id == plan.id).order_by(col(Delivery.id)))
    for delivery in deliveries:
        if delivery.status == "filed":
            continue  # the archive copy is the record the recall keeps
        if delivery.status != "sent":
            delivery.recall_status = "by_hand" if delivery.status == "not_emailed" else "not_sent"
        elif delivery.channel == "edxml":
            _queue_recall_package(session, plan, recall, delivery, now)
            delivery.recall_status = "notified"
            queued += 1
        elif delivery.email:
            _queue_notice(session, plan, recall, delivery, context, now)
            delivery.recall_status = "notified"
            queued += 1
        delivery.updated_at = now
        session.add(delivery)
    return queued


def _queue_notice(
    session: Session, plan: Plan, recall: Recall, delivery: Delivery, context: dict[str, Any], now: datetime
) -> None:
    """The notice to one emailed recipient, with a link to confirm the copy is destroyed; only the
    token's hash is kept (the token rides in the email's context, like every one-time link)."""
    assert delivery.email is not None
    token = secrets.token_urlsafe(32)
    delivery.recall_token_hash = token_hash(token)
    queue_message(
        session,
        key=f"{Event.RECALL_NOTICE}:{delivery.email.lower()}:p{plan.id}:r{recall.id}",
        event=Event.RECALL_NOTICE.value,
        to_email=delivery.email,
        to_name=delivery.name,
        context={**context, "to_name": delivery.name, "action_path": f"{LINK_PREFIX}{token}"},
        now=now,
        plan_id=plan.id,
    )


def _queue_recall_package(
    session: Session, plan: Plan, recall: Recall, delivery: Delivery, now: datetime
) -> None:
    """A recall package to one unit on the exchange channel (built and sent by exchange.delivery).
    No delivery id: its outcome is the package's, not the copy's."""
    key = f"edxml-recall:{delivery.unit_code}:p{plan.id}:r{recall.id}"
    session.add(
        OutboxMessage(
            key=key,
            kind="edxml",
            plan_id=plan.id,
            event=RECALL_EVENT,
            to_name=delivery.name,
            context={"unit_code": delivery.unit_code, "reason": recall.reason, "recall_id": recall.id},
            message_id=message_id_for(key),
            next_attempt_at=now,
            created_at=now,
        )
    )


# -- the recipients' side ---------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What a recall link is for: one recipient's copy of one recalled plan."""

    plan_id: int
    recipient: str
    org_name: str
    title: str
    symbol: str
    reason: str
    status: str
    confirmed_at: datetime | None


def _by_token(session: Session, token: str) -> Delivery:
    return delivery_by_token(session, token, Delivery.recall_token_hash, "recall.invalid_link")


def _notice(session: Session, delivery: Delivery) -> Notice:
    plan = session.get(Plan, delivery.plan_id)
    assert plan is not None
    version = session.get(PlanVersion, delivery.version_id)
    recall = last_recall(session, plan.id or 0)
    context = plan_context(session, plan, current_version(session, plan))
    return Notice(
        plan_id=plan.id or 0,
        recipient=delivery.name,
        org_name=str(context["org_name"]),
        title=version.title if version else "",
        symbol=plan.symbol or "",
        reason=recall.reason if recall else "",
        status=delivery.recall_status,
        confirmed_at=delivery.recall_at if delivery.recall_status in ("destroyed", "marked") else None,
    )


def notice(db: Database, token: str) -> Notice:
    """What the token is for, changing nothing; `NotFound` for a token we never issued."""
    with db.read() as session:
        return _notice(session, _by_token(session, token))


def destroy(db: Database, token: str) -> Notice:
    """The recipient confirms its copy is destroyed (the first time; again changes nothing)."""
    now = db.clock()
    with db.write() as session:
        delivery = _by_token(session, token)
        if delivery.recall_status in WAITING:
            plan = session.get(Plan, delivery.plan_id)
            assert plan is not None
            _settle(session, plan, delivery, "destroyed", "", delivery.email or delivery.name, now)
        return _notice(session, delivery)


def _settle(
    session: Session, plan: Plan, delivery: Delivery, status: str, note: str, actor: str, now: datetime
) -> None:
    delivery.recall_status, delivery.recall_at, delivery.recall_note = status, now, note
    delivery.updated_at = now
    session.add(delivery)
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor=actor,
        action=f"recall_{status}",
        now=now,
        detail={"recipient": delivery.name, "delivery": delivery.id, "note": note},
    )


def _recalled_by_secretariat(
    session: Session, plan_id: int, actor: str, engine_may: bool = False
) -> tuple[Plan, Who]:
    """The recalled plan, locked, once `actor` is its secretariat (or, `engine_may`, the engine)."""
    plan = lock_plan(session, plan_id)
    who = resolve_actor(session, actor)
    person = who.person
    if person is None and engine_may:
        pass  # the scheduled reminders
    elif person is None or Role.SECRETARIAT not in person.roles or person.org_id != plan.org_id:
        raise NotAllowed("as", code="access.not_plan_secretariat", actor=actor)
    if plan.state != State.RECALLED:
        raise WrongState("state", code="recall.not_recalled", plan_id=plan_id, state=plan.state)
    return plan, who


def mark(db: Database, plan_id: int, actor: str, recipient: str, note: str) -> str:
    """The secretariat records by hand that a recipient destroyed its copy (it answered by phone,
    by paper, or its copy went by hand); `recipient` is its address, unit code or name."""
    now = db.clock()
    with db.write() as session:
        plan, who = _recalled_by_secretariat(session, plan_id, actor)
        note = nfc(note or "").strip()
        if not note:
            raise Invalid("note", code="recall.note_required")
        wanted = recipient.strip().casefold()
        delivery = next(
            (
                d
                for d in session.exec(select(Delivery).where(Delivery.plan_id == plan_id))
                if d.recall_status
                and wanted in {(d.email or "").casefold(), (d.unit_code or "").casefold(), d.name.casefold()}
            ),
            None,
        )
        if delivery is None:
            raise NotFound("to", code="recall.not_recipient", recipient=recipient, plan_id=plan_id)
        _settle(session, plan, delivery, "marked", note, who.label, now)
        return delivery.name


def remind(db: Database, plan_id: int, actor: str = SYSTEM) -> int:
    """A reminder to each emailed recipient that has not confirmed, carrying the notice's own link;
    each call is a new round. Returns how many were queued."""
    now = db.clock()
    with db.write() as session:
        plan, who = _recalled_by_secretariat(session, plan_id, actor, engine_may=True)
        recall = last_recall(session, plan_id)
        assert recall is not None
        return _remind(session, plan, recall, who, recall.reminders_sent + 1, now)


def send_due_reminders(db: Database) -> int:
    """The reminders due now, by the organisation's reminder policy counted from the confirmation
    (run by the scheduled reminders flow; a second run sends nothing twice). Returns how many."""
    now = db.clock()
    with db.read() as session:
        due = session.exec(
            select(Plan.id)
            .join(Delivery, col(Delivery.plan_id) == Plan.id)
            .where(
                Plan.state == State.RECALLED,
                Delivery.recall_status == "notified",
                Delivery.channel == "email",
            )
            .distinct()
        ).all()
    queued = 0
    for plan_id in due:
        with db.write() as session:
            plan = lock_plan(session, plan_id or 0)
            recall = last_recall(session, plan_id or 0)
            org = session.get(Organisation, plan.org_id)
            if recall is None or recall.decided_at is None or org is None:
                continue
            policy, holidays = (
                ReminderPolicy(**org.reminders),
                frozenset(date.fromisoformat(d) for d in org.holidays),
            )
            nudge = next_nudge(recall.decided_at, now, recall.reminders_sent, True, policy, holidays)
            if nudge is not None and nudge.kind == "reminder" and nudge.number > recall.reminders_sent:
                queued += _remind(session, plan, recall, Who(None), nudge.number, now)
    return queued


def _remind(session: Session, plan: Plan, recall: Recall, who: Who, round_no: int, now: datetime) -> int:
    recall.reminders_sent = round_no
    session.add(recall)
    waiting = session.exec(
        select(Delivery)
        .where(Delivery.plan_id == plan.id, Delivery.recall_status == "notified", Delivery.channel == "email")
        .order_by(col(Delivery.id))
    ).all()
    queued = 0
    for delivery in waiting:
        assert delivery.email is not None
        first = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.key == f"{Event.RECALL_NOTICE}:{delivery.email.lower()}:p{plan.id}:r{recall.id}"
            )
        ).first()
        if first is None:
            continue
        key = f"{Event.RECALL_REMINDER}:{delivery.email.lower()}:p{plan.id}:r{recall.id}:n{round_no}"
        session.add(
            OutboxMessage(
                key=key,
                kind="email",
                plan_id=plan.id,
                event=Event.RECALL_REMINDER.value,
                to_email=delivery.email,
                to_name=delivery.name,
                context={**first.context, "reminder_number": round_no},
                message_id=message_id_for(key),
                next_attempt_at=now,
                created_at=now,
            )
        )
        queued += 1
    audit.append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor=who.label,
        action=REMIND_ACTION,
        now=now,
        detail={"round": round_no, "reminded": queued},
    )
    return queued


def status(db: Database, plan_id: int) -> dict[str, Any]:
    """The plan's recall: who asked, why, who confirmed, and where each copy stands."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        recall = last_recall(session, plan_id)
        people = {p.id: p.email for p in session.exec(select(Person).where(Person.org_id == plan.org_id))}
        copies = session.exec(
            select(Delivery)
            .where(Delivery.plan_id == plan_id, Delivery.recall_status != "")
            .order_by(col(Delivery.id))
        ).all()
        counts = dict(
            session.exec(
                select(Delivery.recall_status, func.count())
                .where(Delivery.plan_id == plan_id, Delivery.recall_status != "")
                .group_by(Delivery.recall_status)
            ).all()
        )
        return {
            "plan": plan_id,
            "state": plan.state,
            "symbol": plan.symbol,
            "recall": None
            if recall is None
            else {
                "reason": recall.reason,
                "status": recall.status,
                "requested_by": people.get(recall.requested_by_id, ""),
                "requested_at": recall.requested_at.isoformat(timespec="seconds"),
                "decided_by": people.get(recall.decided_by_id, "") if recall.decided_by_id else None,
                "decided_at": recall.decided_at.isoformat(timespec="seconds") if recall.decided_at else None,
                "reminders": recall.reminders_sent,
            },
            "counts": counts,
            "recipients": [
                {
                    "name": d.name,
                    "email": d.email,
                    "unit": d.unit_code,
                    "channel": d.channel,
                    "recall_status": d.recall_status,
                    "at": d.recall_at.isoformat(timespec="seconds") if d.recall_at else None,
                    "note": d.recall_note,
                    "answer_code": d.answer_code,
                }
                for d in copies
            ],
        }
