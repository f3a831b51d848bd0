"""Appending to and verifying the hash-chained audit log (one chain per organisation).

An entry also binds the rows its transaction wrote (a version, a decision, the number, a
recipient's copy, the plan row after a transition, a person, unit or the organisation's
settings after a directory change, a queued email's recipient): `detail["rows"]` maps
"table:id" to a digest of the row's bound columns, followed by a short fingerprint of each
column (which names the column that was changed). Rows the ORM inserted or changed are bound
at commit, into the transaction's last entry; a service that changes them with a bulk UPDATE
binds them itself (`rows=`, `bind`). `verify` recomputes the digests from the stored rows, so a
changed byte in any of them is reported at the entry that last recorded the row. Signing
anchors the chain head outside the database (printed in the issued PDF); `check_anchor` tells
whether the chain still holds that head.

Directory changes go into the same chain as the plans: a decision's entry and the entry that
last bound the reviewer it names are then ordered, and one anchor covers both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, SQLModel, col, select

from models.chain import (
    ANCHOR_HEX,
    GENESIS,
    changed_columns,
    column_prints,
    entry_hash,
    row_digest,
    short_head,
    split_binding,
)
from models.content import content_hash
from models.db import Database
from models.directory import Organisation, Person, SignatureImage, SigningCertificate, Unit
from models.plans import Plan, PlanLink, PlanVersion, RenderedDocument, ReviewTask
from models.recalls import Recall
from models.records import AuditAnchor, AuditEntry, AuditHead, Delivery, OutboxMessage, RegisterEntry
from models.services.locking import insert_ignore
from models.services.versions import content_of
from models.tracked import ReportFile, TrackedAssignment, TrackingPeriod

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
        "assignments",  # bound only when a version has them (`_values`): older entries keep verifying
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
    # What a reader of a plan trusts: its state, the version it shows, who signs it, its mark and
    # number. Bound by every transition's entry (`core.apply`). The flow run, the step it waits on,
    # reminder counters and the row version are the engine's bookkeeping.
    Plan: (
        "uid",
        "org_id",
        "doc_type",
        "state",
        "review_round",
        "review_stage",
        "review_template",
        "current_version_id",
        "drafter_id",
        "signer_id",
        "number",
        "symbol",
        "signed_at",
        "issued_at",
        "secrecy",
        "signed_signature",
        "created_at",
    ),
    # Who a decision, a signature or a delivery names, and the settings the rules read: bound
    # by the directory load and the address-book edits.
    Person: ("org_id", "email", "name", "title", "roles"),
    # A person's signing certificate: bound by the entry that registered it.
    SigningCertificate: ("person_id", "subject", "serial", "fingerprint", "not_before", "not_after", "pem"),
    # A signature or seal image, as every issued PDF shows it: bound (its sha256) by the entry that
    # uploaded it; `verify` checks its bytes against that digest.
    SignatureImage: ("org_id", "person_id", "kind", "sha256", "width", "height", "width_mm"),
    Unit: ("org_id", "code", "name", "email", "is_group", "aliases"),
    Organisation: (
        "key",
        "code",
        "name",
        "superior",
        "place",
        "system",
        "term",
        "reminders",
        "holidays",
        "seal",  # its certificate file; the password is not put into a digest (see _value)
        "review_templates",
        "drafter_may_approve_and_sign",
        "automatic_issuance",  # who issues: the văn thư or the engine (bound unless the default, True)
    ),
    # Who a plan's queued email goes to, under which Message-ID: bound by the entry of the
    # transaction that queued it (the sending writes only its outcome, without an entry, so the
    # per-message path is unchanged). Flow jobs name nobody and are not bound; nor are sign-in
    # emails, which belong to no plan and are queued without an entry.
    OutboxMessage: ("key", "kind", "plan_id", "event", "to_email", "to_name", "message_id", "delivery_id"),
    # Tracked work after issuance: who owes what by when, every report and decision on it. The
    # reminder counter and the row version are the engine's bookkeeping; a file's bytes are checked
    # against the sha256 bound here.
    TrackedAssignment: (
        "plan_id",
        "version_id",
        "seq",
        "lead_code",
        "lead_name",
        "lead_email",
        "follower_code",
        "follower_name",
        "follower_email",
        "what",
        "deadline",
        "cadence",
        "acknowledged_at",
        "acknowledged_by",
    ),
    TrackingPeriod: (
        "assignment_id",
        "plan_id",
        "label",
        "due",
        "original_due",
        "state",
        "late",
        "extended",
        "asked_until",
        "ask_reason",
        "report_text",
        "report_files",
        "submitted_at",
        "submitted_by",
        "decided_at",
        "decided_by",
        "comment",
    ),
    ReportFile: ("period_id", "plan_id", "name", "size", "sha256"),
    # Which document replaces, corrects or reports on which: bound by the entry that created the link.
    PlanLink: ("plan_id", "target_id", "kind", "note", "created_by_id", "created_at"),
    # A recall: who asked and why, who confirmed or cancelled it (the reminder counter is bookkeeping).
    Recall: ("plan_id", "reason", "requested_by_id", "requested_at", "status", "decided_by_id", "decided_at"),
}
# The outbox items that name a recipient: emails and edXML packages (flow jobs name nobody).
BOUND_KINDS = ("email", "edxml")
LABEL: dict[type[SQLModel], str] = {
    PlanVersion: "version",
    ReviewTask: "review task",
    RegisterEntry: "register entry",
    Delivery: "delivery",
    RenderedDocument: "rendered document",
    Plan: "plan",
    Person: "person",
    Unit: "unit",
    Organisation: "organisation",
    SigningCertificate: "signing certificate",
    SignatureImage: "signature image",
    OutboxMessage: "outbox message",
    TrackedAssignment: "tracked assignment",
    TrackingPeriod: "tracking period",
    ReportFile: "report file",
    PlanLink: "plan link",
    Recall: "recall",
}
# Tables bound since chain coverage was extended: a database migrated from before it holds
# rows no entry bound (migration 0007c records, in the chain, the last id of each then).
COVERAGE_ACTION = "chain_coverage"
COVERED_LATER = (Plan, Person, Unit, Organisation, OutboxMessage)


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


def bindable(row: object) -> bool:
    return type(row) in BOUND and not (isinstance(row, OutboxMessage) and row.kind not in BOUND_KINDS)


def _value(row: SQLModel, name: str) -> object:
    value = getattr(row, name)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(row, Organisation) and name == "seal":
        return {k: v for k, v in value.items() if k != "password"}
    return value


# Columns bound after rows were first recorded: bound only when they differ from the value every
# older row had, so the entries that recorded those rows keep verifying.
_LATER_COLUMNS: dict[tuple[type[SQLModel], str], object] = {
    (PlanVersion, "assignments"): [],
    (Organisation, "automatic_issuance"): True,
}


def _later_and_default(row: SQLModel, name: str) -> bool:
    key = (type(row), name)
    return key in _LATER_COLUMNS and getattr(row, name) == _LATER_COLUMNS[key]


def _values(row: SQLModel) -> dict[str, object]:
    """A row's bound columns, times in UTC as stored."""
    return {name: _value(row, name) for name in BOUND[type(row)] if not _later_and_default(row, name)}


def digest_of(row: SQLModel) -> str:
    """The digest of a row's bound columns, times in UTC as stored."""
    return row_digest(str(type(row).__tablename__), _values(row))


def binding_of(row: SQLModel) -> str:
    """What an entry records of a row: its digest, then a fingerprint of each bound column."""
    values = _values(row)
    return row_digest(str(type(row).__tablename__), values) + column_prints(values)


REFRESH_CHUNK = 500  # ids per SELECT when rows are read back before they are bound


def _digests(session: Session, rows: Iterable[SQLModel]) -> dict[str, str]:
    """Bindings of the rows as the database holds them (bulk updates included).

    Read back with one SELECT per table and chunk of ids, not one per row: a distribution
    binds a delivery and a queued email per recipient.
    """
    rows = [row for row in rows if bindable(row)]
    if not rows:
        return {}
    session.flush()
    by_table: dict[type[SQLModel], list[Any]] = {}
    for row in rows:
        by_table.setdefault(type(row), []).append(row.id)  # type: ignore[attr-defined]
    for table, ids in by_table.items():
        model: Any = table
        for start in range(0, len(ids), REFRESH_CHUNK):
            chunk = ids[start : start + REFRESH_CHUNK]
            session.exec(
                select(model).where(col(model.id).in_(chunk)).execution_options(populate_existing=True)
            ).all()
    return {row_key(row): binding_of(row) for row in rows}


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
        if bindable(row):
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
    # rows from before the chain covered their table, no entry binds them yet: label -> count
    unbound: dict[str, int] = field(default_factory=dict)

    def unbound_line(self) -> str:
        """'not bound (before chain coverage): 3 plan, 12 person' or ''."""
        if not self.unbound:
            return ""
        counts = ", ".join(f"{n} {label}" for label, n in self.unbound.items())
        return f"not bound (before chain coverage): {counts}"


def verify(db: Database, org_id: int) -> ChainReport:
    """Walk one organisation's chain and the rows it binds; report the first entry that does not hold."""
    with db.read() as session:
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.org_id == org_id).order_by(col(AuditEntry.seq))
        ).all()
        head = session.get(AuditHead, org_id)
        problems = _chain_problems(entries, head)
        unbound: dict[str, int] = {}
        problems += _row_problems(session, org_id, entries, unbound)
        anchors = session.exec(select(AuditAnchor).where(AuditAnchor.org_id == org_id)).all()
    by_seq = {e.seq: e for e in entries}
    for a in anchors:
        held = by_seq.get(a.seq)
        if held is not None and held.hash != a.hash:
            problems.append(
                (held, f"does not match the chain head anchored when plan {a.plan_id} was signed")
            )
    if not problems:
        return ChainReport(len(entries), None, "", unbound)
    first = min(problems, key=lambda p: p[0].seq if p[0] is not None else 0)
    return ChainReport(len(entries), first[0], first[1], unbound)


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


def _scoped(session: Session, table: Any, org_id: int, plan_ids: Sequence[int | None]) -> Sequence[Any]:
    """The organisation's rows of a bound table."""
    query: Any
    if table is Organisation:
        query = select(table).where(table.id == org_id)
    elif table in (Plan, Person, Unit, SignatureImage):
        query = select(table).where(table.org_id == org_id)
    elif table is SigningCertificate:  # the organisation's people's certificates
        people = select(Person.id).where(Person.org_id == org_id)
        query = select(table).where(col(table.person_id).in_(people))
    elif table is OutboxMessage:
        query = select(table).where(col(table.plan_id).in_(plan_ids), col(table.kind).in_(BOUND_KINDS))
    else:
        query = select(table).where(col(table.plan_id).in_(plan_ids))
    rows: Sequence[Any] = session.exec(query.order_by(col(table.id))).all()
    return rows


def _name(row: Any) -> str:
    if isinstance(row, Plan | Person | Unit | Organisation | SigningCertificate | SignatureImage):
        return f"{LABEL[type(row)]} {row.id}"
    return f"{LABEL[type(row)]} {row.id} of plan {row.plan_id}"


def _covered_from(entries: Sequence[AuditEntry]) -> dict[str, int]:
    """The last id of each later-covered table when the chain began to cover it (migration 0007c)."""
    for entry in entries:
        if entry.action == COVERAGE_ACTION:
            return {str(k): int(v) for k, v in (entry.detail.get("before") or {}).items()}
    return {}


def _row_problems(
    session: Session, org_id: int, entries: Sequence[AuditEntry], unbound: dict[str, int]
) -> list[Problem]:
    """Every bound row against the digest its last entry recorded; unbound rows of the org's plans."""
    recorded: dict[str, tuple[AuditEntry, str]] = {}
    last_of_plan: dict[int, AuditEntry] = {}
    for entry in entries:
        for key, digest in (entry.detail.get(ROWS) or {}).items():
            recorded[key] = (entry, digest)
        if entry.plan_id is not None:
            last_of_plan[entry.plan_id] = entry
    last: AuditEntry | None = entries[-1] if entries else None
    before = _covered_from(entries)
    plan_ids = list(session.exec(select(Plan.id).where(Plan.org_id == org_id)).all())
    problems: list[Problem] = []
    seen: set[str] = set()
    for table in BOUND:
        row: Any
        for row in _scoped(session, table, org_id, plan_ids):
            key = row_key(row)
            seen.add(key)
            what = _name(row)
            if key not in recorded:
                if table is RenderedDocument:  # only the PDF that was sent is bound, at distribution
                    continue
                if table in COVERED_LATER and row.id <= before.get(str(table.__tablename__), 0):
                    unbound[LABEL[table]] = unbound.get(LABEL[table], 0) + 1
                    continue
                plan_id = row.id if table is Plan else getattr(row, "plan_id", None)
                at = last_of_plan.get(plan_id, last) if plan_id is not None else last
                problems.append((at, f"{what} is not in the log"))
                continue
            entry, binding = recorded[key]
            digest, prints = split_binding(binding)
            if digest_of(row) != digest:
                columns = changed_columns(prints, _values(row))
                later = [n for n in _values(row) if (type(row), n) in _LATER_COLUMNS]
                if not columns and later:
                    # A later column set on a row recorded without it: the others still match.
                    others = {k: v for k, v in _values(row).items() if k not in later}
                    columns = [*changed_columns(prints, others), *later]
                named = f" ({', '.join(columns)})" if columns else ""
                problems.append((entry, f"{what} differs from what this entry recorded{named}"))
            elif isinstance(row, PlanVersion) and _version_hash(row) != row.content_hash:
                problems.append((entry, f"{what}: its content does not match its hash"))
            elif not _stored_bytes_match(row):
                problems.append((entry, f"{what}: its bytes do not match their sha256"))
    for key, (entry, _) in recorded.items():
        if key not in seen:
            problems.append((entry, f"{key} recorded by this entry is gone"))
    return problems


def _stored_bytes_match(row: SQLModel) -> bool:
    """A stored file (a document, a report, a signature image) against its bound sha256."""
    if isinstance(row, RenderedDocument | ReportFile):
        return _bytes_match(row.content, row.sha256)
    if isinstance(row, SignatureImage):
        return _bytes_match(row.png, row.sha256)
    return True


def _bytes_match(content: object, sha256: str) -> bool:
    """A document's bytes against their sha256; a column rewritten as text (or emptied) does not match."""
    return isinstance(content, bytes) and hashlib.sha256(content).hexdigest() == sha256


def _version_hash(version: PlanVersion) -> str:
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
