"""Distribution: the rendered document, one delivery per resolved recipient, then 'issued'."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, or_, select

from models.addressing import Route, resolve
from models.content import recipients_from_json, short_hash
from models.db import Database
from models.directory import Unit
from models.errors import AlreadyDecided, NotAllowed, NotFound, Refused, WrongState
from models.lifecycle import Action, Role, State
from models.plans import Plan, PlanVersion, RenderedDocument
from models.records import FINAL_DELIVERY, Delivery, OutboxMessage
from models.services import audit
from models.services.core import (
    SYSTEM,
    Who,
    apply,
    check,
    lock_plan,
    message_id_for,
    plan_context,
    resolve_actor,
)
from models.services.digest import queue_failure_digest
from models.services.locking import insert_ignore
from models.services.plans import address_book
from models.services.replacement import supersede_replaced
from models.services.tracking_work import start_tracking
from models.services.versions import current_version


def store_document(db: Database, plan_id: int, fmt: str, filename: str, content: bytes) -> None:
    """Keep the rendered document of the plan's current version (once; a re-run keeps the first)."""
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        insert_ignore(
            session,
            RenderedDocument,
            {
                "plan_id": plan_id,
                "version_id": plan.current_version_id,
                "format": fmt,
                "filename": filename,
                "content": content,
                "sha256": hashlib.sha256(content).hexdigest(),
                "created_at": db.clock(),
            },
        )


def document_for(session: Session, plan: Plan, fmt: str) -> RenderedDocument | None:
    return session.exec(
        select(RenderedDocument).where(
            RenderedDocument.plan_id == plan.id,
            RenderedDocument.version_id == plan.current_version_id,
            RenderedDocument.format == fmt,
        )
    ).first()


def start_distribution(db: Database, plan_id: int, actor: str = SYSTEM) -> int:
    """signed → distributing: a delivery row for every recipient and an email for each address."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.DISTRIBUTE)
        pdf = document_for(session, plan, "pdf")
        assert pdf is not None, "the transition's guard saw it rendered"
        version = current_version(session, plan)
        book = {e.code: e for e in address_book(session, plan.org_id)}
        targets = resolve(recipients_from_json(version.recipients), book, version.body)
        detail = {"recipients": len(targets), "secrecy": plan.secrecy}
        apply(session, plan, transition, who, now, detail, rows=[pdf])  # the PDF every copy carries
        context = {**plan_context(session, plan, version), "document_id": pdf.id, "filename": pdf.filename}
        status = {Route.EMAIL: "queued", Route.NOT_EMAILED: "not_emailed", Route.FILED: "filed"}
        reason = {
            Route.EMAIL: "",
            Route.NOT_EMAILED: "no email address: deliver by another channel",
            Route.FILED: "archive copy, filed",
        }
        if plan.secrecy:  # never by plain email: every copy goes by another channel, and says why
            reason[Route.EMAIL] = reason[Route.NOT_EMAILED] = (
                f"secret ({plan.secrecy}): never sent by plain email; deliver by the secure channel"
            )
            targets = [replace(t, route=Route.NOT_EMAILED) if t.route is Route.EMAIL else t for t in targets]
        # Units on the edXML channel get a package through the exchange instead of an email; a secret
        # plan leaves by neither (above: every copy is by another channel).
        by_exchange = set() if plan.secrecy else _exchange_units(session, plan.org_id)
        for target in targets:
            package = target.route is not Route.FILED and target.unit_code in by_exchange
            delivery = Delivery(
                plan_id=plan.id or 0,
                version_id=version.id or 0,
                unit_code=target.unit_code,
                name=target.name,
                email=target.email,
                line_text=target.line_text,
                status="queued" if package else status[target.route],
                reason="" if package else reason[target.route],
                channel="edxml" if package else "email",
                updated_at=now,
            )
            session.add(delivery)
            session.flush()
            if package:
                _queue_package(session, plan, version, delivery, now)
            elif target.route is Route.EMAIL:
                _queue_copy(session, plan, version, delivery, context, now, attempt=1)
        return len(targets)


def _exchange_units(session: Session, org_id: int) -> set[str]:
    units = session.exec(
        select(Unit).where(Unit.org_id == org_id, Unit.channel == "edxml", col(Unit.agency_id).is_not(None))
    )
    return {u.code for u in units}


def _copy_key(kind: str, to: str, plan: Plan, version: PlanVersion, attempt: int) -> str:
    """The outbox key of one copy (and so its Message-ID): the same on a retry, new for a resend."""
    key = f"{kind}:{to}:v{short_hash(version.content_hash)}:p{plan.id}"
    return key if attempt <= 1 else f"{key}:a{attempt}"


def _queue_package(
    session: Session, plan: Plan, version: PlanVersion, delivery: Delivery, now: datetime, attempt: int = 1
) -> None:
    """One edXML package of the issued plan to one unit, built and sent by the exchange sender
    (exchange/delivery.py). Its message id is fixed here: a retry sends the same id; a resend
    (attempt n) is a new package."""
    key = _copy_key("edxml", str(delivery.unit_code), plan, version, attempt)
    delivery.message_id = message_id_for(key)
    session.add(delivery)
    session.add(
        OutboxMessage(
            key=key,
            kind="edxml",
            plan_id=plan.id,
            event="exchanged",  # not "distributed": a flow run's step sends emails only
            to_name=delivery.name,
            context={"unit_code": delivery.unit_code},
            message_id=delivery.message_id,
            delivery_id=delivery.id,
            next_attempt_at=now,
            created_at=now,
        )
    )


def _queue_copy(
    session: Session,
    plan: Plan,
    version: PlanVersion,
    delivery: Delivery,
    context: dict[str, Any],
    now: datetime,
    attempt: int,
) -> None:
    """One email of the issued plan to one recipient. A resend is a new email (attempt n)."""
    assert delivery.email is not None
    key = _copy_key("distributed", delivery.email.lower(), plan, version, attempt)
    delivery.message_id = message_id_for(key)
    session.add(delivery)
    session.add(
        OutboxMessage(
            key=key,
            kind="email",
            plan_id=plan.id,
            event="distributed",
            to_email=delivery.email,
            to_name=delivery.name,
            context={**context, "to_name": delivery.name, "ack_delivery_id": delivery.id},
            message_id=delivery.message_id,
            delivery_id=delivery.id,
            next_attempt_at=now,
            created_at=now,
        )
    )


def lock_distributed(session: Session, plan_id: int, actor: str, what: str) -> tuple[Plan, Who]:
    """The plan, locked, once `actor` is its secretariat and its copies have gone out."""
    plan = lock_plan(session, plan_id)
    who = resolve_actor(session, actor)
    person = who.person
    if person is None or Role.SECRETARIAT not in person.roles or person.org_id != plan.org_id:
        raise NotAllowed("as", code="access.not_plan_secretariat", actor=actor)
    if plan.state not in (State.DISTRIBUTING, State.ISSUED):
        raise WrongState("state", code="distribute.wrong_state", what=what, state=plan.state)
    return plan, who


def resend(db: Database, plan_id: int, actor: str, email: str) -> str:
    """Send the issued plan again to one recipient (a new email); returns its Message-ID."""
    now = db.clock()
    with db.write() as session:
        plan, who = lock_distributed(session, plan_id, actor, "can be resent")
        if plan.secrecy:
            raise NotAllowed("secrecy", code="distribute.secret", secrecy=plan.secrecy)
        delivery = session.exec(
            select(Delivery).where(
                Delivery.plan_id == plan.id, func.lower(col(Delivery.email)) == email.strip().lower()
            )
        ).first()
        if delivery is None:
            raise NotFound("to", code="deliveries.not_recipient", email=email, plan_id=plan_id)
        [attempt] = _queue_again(session, plan, [delivery], now)
        audit.append(
            session,
            org_id=plan.org_id,
            plan_id=plan.id,
            actor=who.label,
            action="resend",
            now=now,
            detail={"to": delivery.email, "attempt": attempt, "message_id": delivery.message_id},
        )
        return delivery.message_id


def _queue_again(session: Session, plan: Plan, deliveries: Sequence[Delivery], now: datetime) -> list[int]:
    """A new copy (a new email, its own Message-ID) of the issued document for each delivery;
    returns each one's attempt number (the copies it has had, this one included)."""
    pdf = document_for(session, plan, "pdf")
    assert pdf is not None, "a distributed plan has its document"
    version = current_version(session, plan)
    context = {**plan_context(session, plan, version), "document_id": pdf.id, "filename": pdf.filename}
    counts = dict(
        session.exec(
            select(OutboxMessage.delivery_id, func.count())
            .where(col(OutboxMessage.delivery_id).in_([d.id for d in deliveries]))
            .group_by(col(OutboxMessage.delivery_id))
        ).all()
    )
    attempts = []
    for delivery in deliveries:
        delivery.status, delivery.reason, delivery.updated_at = "queued", "resent", now
        attempt = counts.get(delivery.id, 0) + 1
        if delivery.channel == "edxml":
            _queue_package(session, plan, version, delivery, now, attempt=attempt)
        else:
            _queue_copy(session, plan, version, delivery, context, now, attempt=attempt)
        attempts.append(attempt)
    return attempts


@dataclass(frozen=True)
class Progress:
    """Where a plan's emailed copies stand; ``other`` counts copies not sent by email (filed, not emailed)."""

    sent: int
    failed: int
    pending: int
    other: int

    @property
    def emailed(self) -> int:
        return self.sent + self.failed + self.pending

    @property
    def final(self) -> bool:
        return self.pending == 0

    def line(self) -> str:
        """The progress line of the flow run's log (Vietnamese, like the rest of what people read)."""
        return f"đã gửi {self.sent}/{self.emailed}, lỗi {self.failed}, còn chờ {self.pending}"


def status_counts(db: Database, plan_id: int) -> dict[str, int]:
    """How many of the plan's deliveries are in each status."""
    with db.read() as session:
        return dict(
            session.exec(
                select(Delivery.status, func.count())
                .where(Delivery.plan_id == plan_id)
                .group_by(Delivery.status)
            ).all()
        )


def progress(db: Database, plan_id: int) -> Progress:
    counts = status_counts(db, plan_id)
    pending = sum(n for status, n in counts.items() if status not in FINAL_DELIVERY)
    other = sum(
        n for status, n in counts.items() if status not in ("sent", "failed") and status in FINAL_DELIVERY
    )
    return Progress(counts.get("sent", 0), counts.get("failed", 0), pending, other)


def complete_distribution(db: Database, plan_id: int, actor: str = SYSTEM) -> None:
    """distributing → issued, once every recipient is in a final delivery state."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, Action.COMPLETE_DISTRIBUTION)
        counts: dict[str, int] = {}
        for status in session.exec(select(Delivery.status).where(Delivery.plan_id == plan.id)):
            counts[status] = counts.get(status, 0) + 1
        said = {"deliveries": counts}
        apply(session, plan, transition, who, now, said, said=said, issued_at=now)
        queue_failure_digest(session, plan, now)  # one email about every failed copy, if any
        start_tracking(session, plan, now)  # the plan's work begins: periods, each lead unit told
        supersede_replaced(session, plan, now)  # the plan it replaces, if any, is superseded now


def finish_ready(db: Database, plan_ids: Collection[int] | None = None) -> list[int]:
    """Mark issued every plan being distributed whose copies have all become final; returns them.

    The copies of a plan left to the dispatcher (the relay was away when the flow's step
    sent them) become final one by one in whichever process sends them; the one that
    records the last outcome, or the dispatcher's periodic pass, completes the plan. The
    flow run, suspended meanwhile, is resumed by that transition and ends.
    """
    with db.read() as session:
        query = select(Plan.id).where(Plan.state == State.DISTRIBUTING)
        if plan_ids is not None:
            query = query.where(col(Plan.id).in_(list(plan_ids)))
        candidates = [i for i in session.exec(query).all() if i is not None]
        waiting = set(
            session.exec(
                select(Delivery.plan_id)
                .where(col(Delivery.plan_id).in_(candidates), col(Delivery.status).not_in(FINAL_DELIVERY))
                .distinct()
            ).all()
        )
    done: list[int] = []
    for plan_id in candidates:
        if plan_id in waiting:
            continue
        try:
            complete_distribution(db, plan_id)
        except (Refused, AlreadyDecided):  # another process completed it, or a copy was resent meanwhile
            continue
        done.append(plan_id)
    return done


def retry_failed(db: Database, plan_id: int, actor: str) -> list[str]:
    """Send the plan again to every recipient whose copy failed (new emails); returns their addresses.

    For the secretariat after a relay outage or a fixed address: one command, one audit entry.
    A plan already issued stays issued; each new copy is recorded like the first ones.
    """
    now = db.clock()
    with db.write() as session:
        plan, who = lock_distributed(session, plan_id, actor, "can be resent")
        if plan.secrecy:
            raise NotAllowed("secrecy", code="distribute.secret", secrecy=plan.secrecy)
        failed = session.exec(
            select(Delivery)
            .where(
                Delivery.plan_id == plan.id,
                Delivery.status == "failed",
                or_(col(Delivery.email).is_not(None), Delivery.channel == "edxml"),
            )
            .order_by(col(Delivery.id))
        ).all()
        if not failed:
            raise WrongState("deliveries", code="deliveries.none_failed", plan_id=plan_id)
        _queue_again(session, plan, failed, now)
        audit.append(
            session,
            org_id=plan.org_id,
            plan_id=plan.id,
            actor=who.label,
            action="retry_failed",
            now=now,
            detail={"recipients": len(failed), "to": [d.email for d in failed][:50]},
        )
        return [d.email or d.name for d in failed]


def is_state(db: Database, plan_id: int, state: State) -> bool:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        return plan is not None and plan.state == state
