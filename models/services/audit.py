"""Appending to and verifying the hash-chained audit log (one chain per organisation).

An entry also binds the rows its transaction wrote (a version, a decision, the number, a
recipient's copy): `detail["rows"]` maps "table:id" to a digest of the row's bound
columns. Rows the ORM inserted or changed are bound at commit, into the transaction's last
entry; a service that changes them with a bulk UPDATE binds them itself (`rows=`, `bind`).
`verify` recomputes the digests from the stored rows, so a changed byte in any of them is
reported at the entry that last recorded the row. Signing anchors the chain head
outside the database (printed in the issued PDF); `check_anchor` tells whether the chain
still holds that head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, SQLModel, col, select

from models.chain import ANCHOR_HEX, GENESIS, entry_hash, row_digest, short_head
from models.content import content_hash
from models.db import Database
from models.plans import Plan, PlanVersion, RenderedDocument, ReviewTask
from models.records import AuditAnchor, AuditEntry, AuditHead, Delivery, RegisterEntry
from models.services.locking import insert_ignore

ROWS = "rows"
_LAST = "audit_last_entry"  # session.info key: the entry this transaction appended last
_TOUCHED = "audit_touched_rows"  # session.info key: bound rows the ORM inserted or changed
_ANCHOR = "audit_anchor"  # session.info key: the anchor this transaction recorded

# The columns an entry binds, per table. Counters the engine updates on its own (reminders
# sent, lease times) are left out: they are not evidence and change without an entry.
BOUND: dict[type[SQLModel], tuple[str, ...]] = {
    PlanVersion: (
        "plan_id",
        "seq",
        "title",
        "summary_lines",
        "body",
        "footnotes",
        "recipients",
        "signature",
        "content_hash",
        "created_by_id",
        "created_at",
    ),
    ReviewTask: (
        "plan_id",
        "round",
        "reviewer_id",
        "version_id",
        "version_hash",
        "stage",
        "status",
        "comment",
        "carried_over",
        "delegate_id",
        "decided_by_id",
        "decided_at",
    ),
    RegisterEntry: ("register_id", "number", "symbol", "plan_id", "title", "signer", "allocated_at"),
    # Who a copy is for; its outcome (status, SMTP reply, Message-ID) is the sender's record, written
    # without an entry per message so that distribution keeps the SMTP pool busy. A failure does
    # get an entry (`record_delivery`), with its reason.
    Delivery: ("plan_id", "version_id", "unit_code", "name", "email"),
    RenderedDocument: ("plan_id", "version_id", "format", "filename", "sha256"),
}
LABEL = {
    PlanVersion: "version",
    ReviewTask: "review task",
    RegisterEntry: "register entry",
    Delivery: "delivery",
    RenderedDocument: "rendered document",
}


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


def row_key(row: SQLModel) -> str:
    return f"{type(row).__tablename__}:{row.id}"  # type: ignore[attr-defined]


def digest_of(row: SQLModel) -> str:
    """The digest of a row's bound columns, times in UTC as stored."""
    values: dict[str, object] = {}
    for name in BOUND[type(row)]:
        value = getattr(row, name)
        values[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    return row_digest(str(type(row).__tablename__), values)


def _digests(session: Session, rows: Iterable[SQLModel]) -> dict[str, str]:
    """Digests of the rows as the database holds them (bulk updates included)."""
    rows = list(rows)
    if not rows:
        return {}
    session.flush()
    for row in rows:
        session.refresh(row)
    return {row_key(row): digest_of(row) for row in rows}


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
    rows: Sequence[SQLModel] = (),
) -> AuditEntry:
    """Append one entry binding `rows`; the chain head is locked until the transaction ends."""
    insert_ignore(session, AuditHead, {"org_id": org_id, "seq": 0, "hash": GENESIS})
    head = session.exec(select(AuditHead).where(AuditHead.org_id == org_id).with_for_update()).one()
    detail = dict(detail or {})
    if bound := _digests(session, rows):
        detail[ROWS] = bound
    entry = AuditEntry(
        org_id=org_id,
        seq=head.seq + 1,
        plan_id=plan_id,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
        created_at=now.astimezone(UTC),  # hashed as stored: the column keeps UTC
        prev_hash=head.hash,
        hash="",
    )
    entry.hash = entry_hash(head.hash, _fields(entry))
    head.seq, head.hash = entry.seq, entry.hash
    session.add(entry)
    session.add(head)
    session.flush()
    session.info[_LAST] = entry
    return entry


def bind(session: Session, rows: Iterable[SQLModel]) -> None:
    """Bind rows written after this transaction's last entry (a bulk UPDATE the ORM does not see)."""
    entry: AuditEntry | None = session.info.get(_LAST)
    assert entry is not None, "bind follows an append in the same transaction"
    head = session.get(AuditHead, entry.org_id)
    assert head is not None and head.seq == entry.seq, "only the chain head can still take rows"
    bound = {**entry.detail.get(ROWS, {}), **_digests(session, rows)}
    if bound == entry.detail.get(ROWS, {}):
        return
    entry.detail = {**entry.detail, ROWS: bound}
    entry.hash = head.hash = entry_hash(entry.prev_hash, _fields(entry))
    session.add(entry)
    session.add(head)
    if (anchored := session.info.get(_ANCHOR)) is not None and anchored.seq == entry.seq:
        anchored.hash = entry.hash
        session.add(anchored)
    session.flush()


@event.listens_for(Session, "after_flush")
def _note_touched_rows(session: Session, _context: Any) -> None:
    """Remember every bound row the ORM inserted or changed in this transaction."""
    touched = session.info.setdefault(_TOUCHED, {})
    for row in (*session.new, *session.dirty):
        if type(row) in BOUND:
            touched[id(row)] = row


@event.listens_for(Session, "before_commit")
def _bind_touched_rows(session: Session) -> None:
    """The transaction's last entry binds the rows it wrote, whichever service wrote them."""
    session.flush()  # what was added since the last flush is noted too
    touched = session.info.pop(_TOUCHED, {})
    if session.info.get(_LAST) is not None and touched:
        bind(session, list(touched.values()))


def record_delivery(session: Session, delivery_id: int, event: str, now: datetime) -> None:
    """An entry for what the relay said about one copy (a failure): its reply, reason and Message-ID."""
    delivery = session.get(Delivery, delivery_id)
    plan = session.get(Plan, delivery.plan_id) if delivery is not None else None
    if delivery is None or plan is None:
        return
    session.flush()
    session.refresh(delivery)
    append(
        session,
        org_id=plan.org_id,
        plan_id=plan.id,
        actor="smtp",
        action=event,
        now=now,
        detail={
            "to": delivery.email,
            "message_id": delivery.message_id,
            "smtp_reply": delivery.smtp_reply,
            "reason": delivery.reason,
        },
        rows=[delivery],
    )


def anchor(session: Session, plan: Plan, now: datetime) -> AuditAnchor:
    """Record the chain head as it stands now (at signing); the issued PDF prints it."""
    head = session.get(AuditHead, plan.org_id)
    assert head is not None, "signing has appended an entry"
    row = AuditAnchor(org_id=plan.org_id, plan_id=plan.id or 0, seq=head.seq, hash=head.hash, created_at=now)
    session.add(row)
    session.flush()
    session.info[_ANCHOR] = row  # a row bound later in this transaction moves the head: the anchor follows
    return row


def anchor_text(org_key: str, seq: int, head_hash: str) -> str:
    """How an anchor is printed: 'Nhật ký kiểm chứng hamliem #42 · 0123456789abcdef'."""
    return f"Nhật ký kiểm chứng {org_key} #{seq} · {short_head(head_hash)}"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: AuditEntry | None
    reason: str


def verify(db: Database, org_id: int) -> ChainReport:
    """Walk one organisation's chain and the rows it binds; report the first entry that does not hold."""
    with db.read() as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.org_id == org_id).order_by(col(AuditEntry.seq))
        ).all()
        head = session.get(AuditHead, org_id)
        problems = _chain_problems(entries, head)
        problems += _row_problems(session, org_id, entries)
        anchors = session.exec(select(AuditAnchor).where(AuditAnchor.org_id == org_id)).all()
    by_seq = {e.seq: e for e in entries}
    for a in anchors:
        held = by_seq.get(a.seq)
        if held is not None and held.hash != a.hash:
            problems.append(
                (held, f"does not match the chain head anchored when plan {a.plan_id} was signed")
            )
    if not problems:
        return ChainReport(len(entries), None, "")
    first = min(problems, key=lambda p: p[0].seq if p[0] is not None else 0)
    return ChainReport(len(entries), first[0], first[1])


Problem = tuple[AuditEntry | None, str]


def _chain_problems(entries: Sequence[AuditEntry], head: AuditHead | None) -> list[Problem]:
    prev = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq:
            return [(entry, f"sequence jumps to {entry.seq}, expected {expected_seq}")]
        if entry.prev_hash != prev:
            return [(entry, "does not link to the entry before it")]
        if entry_hash(prev, _fields(entry)) != entry.hash:
            return [(entry, "content does not match its hash")]
        prev = entry.hash
    if head is not None and (head.hash != prev or head.seq != len(entries)):
        return [(entries[-1] if entries else None, "the chain head does not match")]
    return []


def _row_problems(session: Session, org_id: int, entries: Sequence[AuditEntry]) -> list[Problem]:
    """Every bound row against the digest its last entry recorded; unbound rows of the org's plans."""
    recorded: dict[str, tuple[AuditEntry, str]] = {}
    last_of_plan: dict[int, AuditEntry] = {}
    for entry in entries:
        for key, digest in (entry.detail.get(ROWS) or {}).items():
            recorded[key] = (entry, digest)
        if entry.plan_id is not None:
            last_of_plan[entry.plan_id] = entry
    plan_ids = list(session.exec(select(Plan.id).where(Plan.org_id == org_id)).all())
    problems: list[Problem] = []
    seen: set[str] = set()
    for table in BOUND:
        tracked: Any = table  # every bound table has plan_id
        row: Any
        for row in session.exec(select(tracked).where(col(tracked.plan_id).in_(plan_ids))).all():
            key = row_key(row)
            seen.add(key)
            what = f"{LABEL[table]} {row.id} of plan {row.plan_id}"
            if key not in recorded:
                if table is not RenderedDocument:  # only the PDF that was sent is bound, at distribution
                    problems.append((last_of_plan.get(row.plan_id), f"{what} is not in the log"))
                continue
            entry, digest = recorded[key]
            if digest_of(row) != digest:
                problems.append((entry, f"{what} differs from what this entry recorded"))
            elif isinstance(row, PlanVersion) and _version_hash(row) != row.content_hash:
                problems.append((entry, f"{what}: its content does not match its hash"))
            elif isinstance(row, RenderedDocument) and not _bytes_match(row.content, row.sha256):
                problems.append((entry, f"{what}: its bytes do not match their sha256"))
    for key, (entry, _) in recorded.items():
        if key not in seen:
            problems.append((entry, f"{key} recorded by this entry is gone"))
    return problems


def _bytes_match(content: object, sha256: str) -> bool:
    """A document's bytes against their sha256; a column rewritten as text (or emptied) does not match."""
    return isinstance(content, bytes) and hashlib.sha256(content).hexdigest() == sha256


def _version_hash(version: PlanVersion) -> str:
    from models.services.core import content_of  # core appends through this module

    return content_hash(content_of(version))


@dataclass(frozen=True)
class AnchorReport:
    ok: bool
    entry: AuditEntry | None
    reason: str


def check_anchor(db: Database, org_id: int, seq: int, head_hash: str) -> AnchorReport:
    """Does the chain still hold `head_hash` (full or its printed prefix) at `seq`?"""
    given = head_hash.strip().lower()
    with db.read() as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.org_id == org_id, AuditEntry.seq == seq)
        ).first()
    if entry is None:
        return AnchorReport(False, None, f"the chain has no entry #{seq}")
    if len(given) < ANCHOR_HEX or not entry.hash.startswith(given):
        return AnchorReport(
            False,
            entry,
            f"entry #{seq} ({entry.action}) is {short_head(entry.hash)} in the chain, "
            f"{given[:16]} in the anchor: the chain was rewritten",
        )
    return AnchorReport(True, entry, "")
