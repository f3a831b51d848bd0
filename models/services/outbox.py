"""The outbox's side of the database: claim due work, record what happened to it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select

from models.db import Database
from models.directory import Person
from models.plans import Plan
from models.records import Delivery, OutboxMessage
from models.services import audit
from models.services.core import queue_email

LEASE = timedelta(seconds=120)


def claim_due(db: Database, kind: str, limit: int, plan_id: int | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due items atomically; a claim whose lease ran out is due again."""
    now = db.clock()
    with db.write() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.kind == kind,
            or_(
                (col(OutboxMessage.status) == "pending") & (col(OutboxMessage.next_attempt_at) <= now),
                (col(OutboxMessage.status) == "sending") & (col(OutboxMessage.claimed_until) < now),
            ),
        )
        if plan_id is not None:
            query = query.where(OutboxMessage.plan_id == plan_id)
        query = query.order_by(col(OutboxMessage.id)).limit(limit)
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for item in session.exec(query).all():
            item.status, item.claimed_until, item.attempts = "sending", now + LEASE, item.attempts + 1
            session.add(item)
            claimed.append(item)
        return claimed


def renew(db: Database, item_ids: Collection[int]) -> int:
    """Extend the lease of claims a live sender is still working on; returns how many.

    A claim must not run out while its sender is alive and sending (a slow relay, a long
    batch): another sender would take the item and both would send it. Only a dead
    sender's claims should fall due again.
    """
    if not item_ids:
        return 0
    now = db.clock()
    with db.write() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(list(item_ids)), col(OutboxMessage.status) == "sending")
            .values(claimed_until=now + LEASE)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def mark_sent(db: Database, item_id: int, reply: str) -> None:
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status == "sent":
            return
        item.status, item.smtp_reply, item.sent_at, item.claimed_until = "sent", reply, now, None
        session.add(item)
        if item.delivery_id is not None:
            session.execute(
                update(Delivery)
                .where(Delivery.id == item.delivery_id)  # type: ignore[arg-type]
                .values(status="sent", smtp_reply=reply, message_id=item.message_id, updated_at=now)
            )
            audit.record_delivery(session, item.delivery_id, "delivered", now)


def mark_retry(db: Database, item_id: int, error: str, delay: timedelta) -> None:
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status != "sending":
            return
        item.status, item.last_error, item.next_attempt_at, item.claimed_until = (
            "pending",
            error,
            now + delay,
            None,
        )
        session.add(item)


def mark_failed(db: Database, item_id: int, reason: str) -> None:
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status != "sending":
            return
        item.status, item.last_error, item.claimed_until = "failed", reason, None
        session.add(item)
        if item.delivery_id is None:
            return
        session.execute(
            update(Delivery)
            .where(Delivery.id == item.delivery_id)  # type: ignore[arg-type]
            .values(status="failed", reason=reason, updated_at=now)
        )
        audit.record_delivery(session, item.delivery_id, "delivery_failed", now)
        # The secretariat must hear of it: a failed recipient needs another channel.
        plan = session.get(Plan, item.plan_id)
        drafter = session.get(Person, plan.drafter_id) if plan is not None else None
        if plan is not None and drafter is not None:
            context = {
                **item.context,
                "recipient_name": item.to_name,
                "recipient_email": item.to_email,
                "reason": reason,
            }
            queue_email(
                session,
                event="delivery_failed",
                to=drafter,
                key=f"d{item.delivery_id}",
                plan=plan,
                context=context,
                now=now,
            )
