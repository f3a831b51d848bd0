"""The outbox's side of the database: claim due work, record what happened to it."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from models.db import Database, HeldConnection
from models.lifecycle import State
from models.plans import Plan
from models.records import Delivery, OutboxMessage
from models.services import audit
from models.services.digest import queue_failure_digest

LEASE = timedelta(seconds=120)


@dataclass(slots=True)
class Claimed:
    """An outbox item claimed by this sender: the columns sending or driving it reads.

    Plain rows rather than ORM objects: a distribution claims thousands, and loading and
    updating tracked objects cost more per item than sending the email.
    """

    id: int
    kind: str
    plan_id: int | None
    event: str
    to_email: str | None
    to_name: str
    context: dict[str, Any]
    message_id: str
    attempts: int
    delivery_id: int | None
    last_error: str


_CLAIM_COLUMNS = ", ".join(f.name for f in fields(Claimed))
# Dead senders' claims, then due work, each in id order: one status per query, so the
# (plan, status, id) index walks only what is still to do.
_STALE = "status = 'sending' AND claimed_until < ?"
_DUE = "status = 'pending' AND next_attempt_at <= ?"


# The copies of a plan whose flow run is distributing it belong to that run's distribution step
# alone: with one sender per plan, a crash of the whole engine repeats at most one message of
# it (the one the relay accepted and no one recorded). The dispatcher takes them over once the
# run waits on the copies (the relay was away: `deliveries-v<n>`) or the plan is issued.
_FLOW_OWNED = (
    "NOT (event = 'distributed' AND plan_id IN (SELECT id FROM plan WHERE state = 'distributing'"
    " AND (wait_key IS NULL OR substr(wait_key, 1, 11) <> 'deliveries-')))"
)


def claim_due(
    db: Database, kind: str, limit: int, plan_id: int | None = None, leave_to_flow: bool = False
) -> list[Claimed]:
    """Claim up to `limit` due items atomically; a claim whose lease ran out is due again.
    `leave_to_flow` (the dispatcher) skips the copies a flow run's distribution step is sending.

    Due items are read without a lock, then claimed by one compare-and-set UPDATE that only
    takes those still due: the write lock is held for that statement alone, not while rows
    are loaded (senders record each message while the pool waits, and must not queue behind
    a claim). A concurrent claimer gets the rest.

    A claim is not an attempt: ``attempts`` counts outcomes only (``mark_sent``, ``mark_retry``,
    ``mark_failed``), so a sender killed mid-send does not use up the item's attempts.

    Plain SQL on the driver's cursor: building the statements costs SQLAlchemy more than
    the database takes to run them, once per batch of a distribution of thousands.
    """
    for _ in range(3):  # another sender took every candidate: read again
        now = db.clock()
        at = db.bind_time(now)
        candidates: list[Claimed] = []
        with db.read_cursor() as cursor:
            for condition in (_STALE, _DUE):
                where = f"kind = ? AND {condition}" + (" AND plan_id = ?" if plan_id is not None else "")
                where += f" AND {_FLOW_OWNED}" if leave_to_flow else ""
                params: list[Any] = [kind, at] + ([plan_id] if plan_id is not None else [])
                cursor.execute(
                    db.sql_params(
                        f"SELECT {_CLAIM_COLUMNS} FROM outboxmessage WHERE {where} ORDER BY id LIMIT ?"
                    ),
                    (*params, limit - len(candidates)),
                )
                candidates += (_claimed(row) for row in cursor.fetchall())
                if len(candidates) >= limit:
                    break
        if not candidates:
            return []
        ids = ", ".join("?" * len(candidates))
        with db.write_cursor() as cursor:
            cursor.execute(
                db.sql_params(
                    f"UPDATE outboxmessage SET status = 'sending', claimed_until = ? WHERE id IN ({ids})"
                    f" AND (({_STALE}) OR ({_DUE})) RETURNING id"
                ),
                (db.bind_time(now + LEASE), *(c.id for c in candidates), at, at),
            )
            won = {row[0] for row in cursor.fetchall()}
        claimed = [c for c in candidates if c.id in won]
        if claimed:
            return claimed
    return []


def _claimed(row: tuple[Any, ...]) -> Claimed:
    item = Claimed(*row)
    if isinstance(item.context, str):  # SQLite hands JSON back as text
        item.context = json.loads(item.context)
    return item


def renew(db: Database, item_ids: Collection[int]) -> int:
    """Extend the lease of claims a live sender is still working on; returns how many.

    A claim must not run out while its sender is alive and sending (a slow relay, a long
    batch): another sender would take the item and both would send it. Only a dead
    sender's claims should fall due again.
    """
    return _update_claimed(db, item_ids, claimed_until=db.clock() + LEASE)


def _update_claimed(db: Database, item_ids: Collection[int], **values: Any) -> int:
    """Set `values` on those of the items still claimed ('sending'); how many were."""
    if not item_ids:
        return 0
    with db.write() as session:
        result = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(list(item_ids)), col(OutboxMessage.status) == "sending")
            .values(**values)
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


def mark_sent(
    db: Database,
    item_id: int,
    reply: str,
    ack_token_hash: str | None = None,
    held: HeldConnection | None = None,
) -> None:
    """Record the relay's acceptance; a copy of the plan also records the hash of its receipt link.

    ``held``: the sender's own connection to ``db``, kept between messages.
    """
    now = db.bind_time(db.clock())
    with held.transaction() if held is not None else db.write_cursor() as cursor:
        cursor.execute(db.sql_params(_ITEM_SENT), (reply, now, item_id))
        row = cursor.fetchone()
        if row is not None and row[0] is not None:
            cursor.execute(db.sql_params(_DELIVERY_SENT), (reply, row[1], now, ack_token_hash, row[0]))


def mark_retry(
    db: Database, item_id: int, error: str, delay: timedelta, lifetime: timedelta | None = None
) -> bool:
    """Count an attempt and try again after ``delay``; returns False when it was given up instead.

    ``lifetime``: how long an email may stay queued (from when it was queued, like a mail
    server's queue lifetime); a temporary failure past it fails the email with the reason.
    """
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status != "sending":
            return True
        if lifetime is not None and now >= item.created_at + lifetime:
            hours = lifetime.total_seconds() / 3600
            _fail(session, item, f"gave up after {item.attempts + 1} attempts in {hours:g} h: {error}", now)
            return False
        item.status, item.last_error, item.next_attempt_at, item.claimed_until = (
            "pending",
            error,
            now + delay,
            None,
        )
        item.attempts += 1
        session.add(item)
        return True


def release(db: Database, item_ids: Collection[int], error: str) -> int:
    """Give claimed items back without an attempt: the relay was away, not their fault; due at once."""
    return _update_claimed(
        db, item_ids, status="pending", last_error=error, claimed_until=None, next_attempt_at=db.clock()
    )


def mark_failed(db: Database, item_id: int, reason: str) -> None:
    now = db.clock()
    with db.write() as session:
        item = session.get(OutboxMessage, item_id)
        if item is None or item.status != "sending":
            return
        _fail(session, item, reason, now)


def _fail(session: Session, item: OutboxMessage, reason: str, now: datetime) -> None:
    """The email is final as failed; a copy of the plan fails its delivery too.

    The secretariat hears of failed copies once per plan, not once per copy: a digest when
    the plan's copies are all final (``distribution.queue_failure_digest``).
    """
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
    plan = session.get(Plan, item.plan_id)
    if plan is not None and plan.state == State.ISSUED:  # a resent copy of an issued plan
        session.flush()
        queue_failure_digest(session, plan, now)
