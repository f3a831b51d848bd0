"""The outbox's side of the database: claim due work, record what happened to it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from models.db import Database
from models.directory import Person
from models.plans import Plan
from models.records import Delivery, OutboxMessage
from models.services import audit
from models.services.core import queue_email

LEASE = timedelta(seconds=120)


def claim_due(db: Database, kind: str, limit: int, plan_id: int | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due items atomically; a claim whose lease ran out is due again.

    Due items are read without a lock, then claimed by one compare-and-set UPDATE that only
    takes those still due: the write lock is held for that statement alone, not while rows
    are loaded (senders record each message while the pool waits, and must not queue behind
    a claim). A concurrent claimer gets the rest.

    A claim is not an attempt: ``attempts`` counts outcomes only (``mark_sent``, ``mark_retry``,
    ``mark_failed``), so a sender killed mid-send does not use up the item's attempts.
    """
    for _ in range(3):  # another sender took every candidate: read again
        now = db.clock()
        stale = (col(OutboxMessage.status) == "sending") & (col(OutboxMessage.claimed_until) < now)
        due = (col(OutboxMessage.status) == "pending") & (col(OutboxMessage.next_attempt_at) <= now)
        with db.read() as session:
            # Dead senders' claims first, then due work, each in id order: one status per query,
            # so the (plan, status, id) index walks only what is still to do.
            candidates: list[OutboxMessage] = []
            for condition in (stale, due):
                query = select(OutboxMessage).where(OutboxMessage.kind == kind, condition)
                if plan_id is not None:
                    query = query.where(OutboxMessage.plan_id == plan_id)
                candidates += session.exec(
                    query.order_by(col(OutboxMessage.id)).limit(limit - len(candidates))
                )
                if len(candidates) >= limit:
                    break
        if not candidates:
            return []
        with db.write() as session:
            won = set(
                session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_([c.id for c in candidates]), stale | due)
                    .values(status="sending", claimed_until=now + LEASE)
                    .returning(col(OutboxMessage.id))
                    .execution_options(synchronize_session=False)
                ).scalars()
            )
        claimed = [c for c in candidates if c.id in won]
        for item in claimed:
            item.status, item.claimed_until = "sending", now + LEASE
        if claimed:
            return claimed
    return []


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


# The hottest write of a distribution (one per message, while the pool waits): plain SQL on
# the driver's cursor, and no audit entry per copy (see audit.BOUND).
_ITEM_SENT = (
    "UPDATE outboxmessage SET status = 'sent', smtp_reply = ?, sent_at = ?, claimed_until = NULL,"
    " attempts = attempts + 1 WHERE id = ? AND status <> 'sent' RETURNING delivery_id, message_id"
)
_DELIVERY_SENT = (
    "UPDATE delivery SET status = 'sent', smtp_reply = ?, message_id = ?, updated_at = ?,"
    " ack_token_hash = COALESCE(?, ack_token_hash) WHERE id = ?"
)


def mark_sent(db: Database, item_id: int, reply: str, ack_token_hash: str | None = None) -> None:
    """Record the relay's acceptance; a copy of the plan also records the hash of its receipt link."""
    now = db.bind_time(db.clock())
    with db.write_cursor() as cursor:
        cursor.execute(db.sql_params(_ITEM_SENT), (reply, now, item_id))
        row = cursor.fetchone()
        if row is not None and row[0] is not None:
            cursor.execute(db.sql_params(_DELIVERY_SENT), (reply, row[1], now, ack_token_hash, row[0]))


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
        item.attempts += 1
        session.add(item)


def mark_failed(db: Database, item_id: int, reason: str) -> None:
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status != "sending":
            return
        item.status, item.last_error, item.claimed_until = "failed", reason, None
        item.attempts += 1
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
