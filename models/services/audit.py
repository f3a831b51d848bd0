"""Appending to and verifying the hash-chained audit log (one chain per organisation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from models.chain import GENESIS, entry_hash
from models.db import Database
from models.records import AuditEntry, AuditHead
from models.services.locking import insert_ignore


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        "org_id": entry.org_id,
        "seq": entry.seq,
        "plan_id": entry.plan_id,
        "actor": entry.actor,
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "detail": entry.detail,
        "created_at": entry.created_at.isoformat(),
    }


def append(
    session: Session,
    *,
    org_id: int,
    plan_id: int | None,
    actor: str,
    action: str,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; the chain head is locked until the transaction ends."""
    insert_ignore(session, AuditHead, {"org_id": org_id, "seq": 0, "hash": GENESIS})
    head = session.exec(select(AuditHead).where(AuditHead.org_id == org_id).with_for_update()).one()
    entry = AuditEntry(
        org_id=org_id,
        seq=head.seq + 1,
        plan_id=plan_id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail or {},
        created_at=now.astimezone(UTC),  # hashed as stored: the column keeps UTC
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(head.hash, _fields(entry))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: AuditEntry | None
    reason: str


def verify(db: Database, org_id: int) -> ChainReport:
    """Walk one organisation's chain; report the first entry that does not hold."""
    with db.read() as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.org_id == org_id).order_by(AuditEntry.seq)  # type: ignore[arg-type]
        ).all()
        head = session.get(AuditHead, org_id)
    prev = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            return ChainReport(len(entries), entry, f"sequence jumps to {entry.seq}, expected {expected_seq}")
        if entry.prev_hash != prev:
            return ChainReport(len(entries), entry, "does not link to the entry before it")
        if entry_hash(prev, _fields(entry)) != entry.hash:
            return ChainReport(len(entries), entry, "content does not match its hash")
        prev = entry.hash
    if head is not None and (head.hash != prev or head.seq != len(entries)):
        return ChainReport(len(entries), entries[-1] if entries else None, "the chain head does not match")
    return ChainReport(len(entries), None, "")
