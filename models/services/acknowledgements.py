"""Acknowledgement of receipt: a recipient confirms, by the link in its copy, that it got the plan.

The link carries a token only the emailed copy knows (``notifications.links``); the
database keeps its sha256, so a leaked database gives no working links. Showing what a
token is for never changes anything (mail scanners open links); ``acknowledge`` does, once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from models.db import Database
from models.directory import Organisation
from models.errors import NotFound
from models.plans import Plan, PlanVersion
from models.records import AuditEntry, Delivery, OutboxMessage
from models.services import audit
from models.services.core import message_id_for, plan_context
from models.services.distribution import lock_distributed
from models.services.versions import current_version

REMIND_ACTION = "remind_ack"


@dataclass(frozen=True)
class Receipt:
    """What an acknowledgement link is for: one recipient's copy of one plan."""

    plan_id: int
    recipient: str
    org_name: str
    title: str
    symbol: str
    acknowledged_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def delivery_by_token(session: Session, token: str, column: Any, code: str) -> Delivery:
    """The copy whose link token hashes to `column` (its receipt or its recall link); `NotFound`
    with `code` for a token we never issued."""
    delivery = None
    if 20 <= len(token) <= 100:  # the shape of our tokens; anything else is not worth a query
        delivery = session.exec(select(Delivery).where(column == token_hash(token))).first()
    if delivery is None:
        raise NotFound("token", code=code)
    return delivery


def _by_token(session: Session, token: str) -> Delivery:
    return delivery_by_token(session, token, Delivery.ack_token_hash, "ack.invalid")


def _receipt(session: Session, delivery: Delivery) -> Receipt:
    plan = session.get(Plan, delivery.plan_id)
    assert plan is not None
    version = session.get(PlanVersion, delivery.version_id)
    org = session.get(Organisation, plan.org_id)
    return Receipt(
        plan_id=plan.id or 0,
        recipient=delivery.name,
        org_name=org.name if org else "",
        title=version.title if version else "",
        symbol=plan.symbol or "",
        acknowledged_at=delivery.acknowledged_at,
    )


def receipt(db: Database, token: str) -> Receipt:
    """What the token is for, changing nothing; ``NotFound`` for a token we never issued."""
    with db.read() as session:
        return _receipt(session, _by_token(session, token))


def acknowledge(db: Database, token: str) -> Receipt:
    """Record that the recipient has the plan (the first time; again changes nothing)."""
    now = db.clock()
    with db.write() as session:
        delivery = _by_token(session, token)
        if delivery.acknowledged_at is None:
            delivery.acknowledged_at, delivery.updated_at = now, now
            session.add(delivery)
            plan = session.get(Plan, delivery.plan_id)
            assert plan is not None
            audit.append(
                session,
                org_id=plan.org_id,
                plan_id=plan.id,
                actor=delivery.email or delivery.name,
                action="acknowledge",
                now=now,
                detail={"recipient": delivery.name, "delivery": delivery.id},
            )
        return _receipt(session, delivery)


def receipts(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """Every emailed recipient of the plan: who has acknowledged receipt (and when) and who has not."""
    with db.read() as session:
        if session.get(Plan, plan_id) is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        rows = session.exec(
            select(Delivery)
            .where(Delivery.plan_id == plan_id, col(Delivery.email).is_not(None))
            .order_by(col(Delivery.id))
        ).all()
        return [
            {
                "name": d.name,
                "email": d.email,
                "status": d.status,
                "acknowledged_at": d.acknowledged_at.isoformat(timespec="seconds")
                if d.acknowledged_at
                else None,
            }
            for d in rows
        ]


def remind(db: Database, plan_id: int, actor: str) -> int:
    """Queue one ``ack_reminder`` email to each recipient sent the plan who has not acknowledged it.

    Each call is a new round (its own outbox keys); returns how many reminders were queued.
    """
    now = db.clock()
    with db.write() as session:
        plan, who = lock_distributed(session, plan_id, actor, "has recipients")
        waiting = session.exec(
            select(Delivery)
            .where(
                Delivery.plan_id == plan.id,
                Delivery.status == "sent",
                col(Delivery.acknowledged_at).is_(None),
                col(Delivery.ack_token_hash).is_not(None),
            )
            .order_by(col(Delivery.id))
        ).all()
        earlier = session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.plan_id == plan.id, AuditEntry.action == REMIND_ACTION)
        ).one()
        round_no = earlier + 1
        version = current_version(session, plan)
        context = plan_context(session, plan, version)
        for delivery in waiting:
            assert delivery.email is not None
            key = f"ack_reminder:{delivery.email.lower()}:p{plan.id}:r{round_no}"
            session.add(
                OutboxMessage(
                    key=key,
                    kind="email",
                    plan_id=plan.id,
                    event="ack_reminder",
                    to_email=delivery.email,
                    to_name=delivery.name,
                    context={
                        **context,
                        "to_name": delivery.name,
                        "ack_delivery_id": delivery.id,
                        "reminder_number": round_no,
                    },
                    message_id=message_id_for(key),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        audit.append(
            session,
            org_id=plan.org_id,
            plan_id=plan.id,
            actor=who.label,
            action=REMIND_ACTION,
            now=now,
            detail={"round": round_no, "reminded": len(waiting)},
        )
        return len(waiting)
