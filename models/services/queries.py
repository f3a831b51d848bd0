"""Read-only views for the CLI and the web app: status, history, deliveries, tasks."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from models.content import recipients_from_json, short_hash
from models.db import Database
from models.delegation import Kind, Period
from models.directory import Delegation, Organisation, Person
from models.errors import NotFound
from models.lifecycle import Role, State, waiting_on
from models.numbering import VN_TZ
from models.plans import Plan, PlanLink, PlanReviewer, PlanVersion, ReviewTask
from models.recalls import Recall
from models.records import AuditEntry, Delivery, OutboxMessage, Register, RegisterEntry
from models.related import WORDS, LinkKind
from models.services.checks import local_date
from models.services.stages import plan_stages


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
    return plan


def plan_status(db: Database, plan_id: int) -> dict[str, Any]:
    with db.read() as session:
        plan = _plan(session, plan_id)
        version = session.get(PlanVersion, plan.current_version_id)
        assert version is not None
        org = session.get(Organisation, plan.org_id)
        people = {p.id: p for p in session.exec(select(Person).where(Person.org_id == plan.org_id))}
        reviewers = session.exec(select(PlanReviewer).where(PlanReviewer.plan_id == plan.id)).all()
        tasks = session.exec(
            select(ReviewTask).where(ReviewTask.plan_id == plan.id, ReviewTask.round == plan.review_round)
        ).all()
        deliveries = session.exec(select(Delivery.status).where(Delivery.plan_id == plan.id)).all()
        counts: dict[str, int] = {}
        for status in deliveries:
            counts[status] = counts.get(status, 0) + 1
        return {
            "id": plan.id,
            "organisation": org.name if org else "",
            "title": version.title,
            "state": plan.state,
            "version": version.seq,
            "version_hash": short_hash(version.content_hash),
            "round": plan.review_round,
            "number": plan.number,
            "symbol": plan.symbol,
            "drafter": people[plan.drafter_id].email if plan.drafter_id in people else None,
            "signer": people[plan.signer_id].email if plan.signer_id in people else None,
            "reviewers": [people[r.person_id].email for r in reviewers if r.person_id in people],
            "template": plan.review_template,
            "stage": plan.review_stage,
            "stages": [
                {
                    "name": st.name,
                    "rule": st.rule_text,
                    "reviewers": [people[r].email for r in st.reviewers],
                    "mandatory": sorted(people[r].email for r in st.mandatory),
                }
                for st in plan_stages(session, plan)
            ],
            "tasks": [
                {
                    "reviewer": people[t.reviewer_id].email if t.reviewer_id in people else t.reviewer_id,
                    "stage": t.stage,
                    "status": t.status,
                    "version_hash": short_hash(t.version_hash),
                    "comment": t.comment,
                    "carried_over": t.carried_over,
                    "routed_to": people[t.delegate_id].email if t.delegate_id in people else None,
                    "decided_by": _acted_by(people, t.decided_by_id, t.reviewer_id),
                }
                for t in tasks
            ],
            "signed_as": plan.signed_signature,
            "recipients": version.recipients,
            "deliveries": counts,
            "flow_run_id": plan.flow_run_id,
            "signed_at": plan.signed_at.isoformat() if plan.signed_at else None,
            "issued_at": plan.issued_at.isoformat() if plan.issued_at else None,
        }


def _acted_by(people: dict[int | None, Person], actor_id: int | None, principal_id: int) -> str | None:
    """'b@… on behalf of a@…' when a delegate acted; the person's own email otherwise."""
    if actor_id is None:
        return None
    if actor_id == principal_id:
        return people[actor_id].email
    return f"{people[actor_id].email} on behalf of {people[principal_id].email}"


def list_plans(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.exec(
            select(Plan, PlanVersion)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .order_by(col(Plan.id))
        ).all()
        return [
            {
                "id": p.id,
                "state": p.state,
                "title": v.title,
                "symbol": p.symbol,
                "version_hash": short_hash(v.content_hash),
            }
            for p, v in rows
        ]


def history(db: Database, plan_id: int) -> list[dict[str, Any]]:
    with db.read() as session:
        _plan(session, plan_id)
        rows = session.exec(
            select(AuditEntry)
            .where(AuditEntry.plan_id == plan_id)
            .order_by(col(AuditEntry.org_id), col(AuditEntry.seq))
        ).all()
        return [
            {
                "seq": e.seq,
                "at": e.created_at.isoformat(timespec="seconds"),
                "actor": e.actor,
                "action": e.action,
                "from": e.from_state,
                "to": e.to_state,
                "detail": e.detail,
                "hash": e.hash[:12],
            }
            for e in rows
        ]


def deliveries(db: Database, plan_id: int) -> list[dict[str, Any]]:
    with db.read() as session:
        _plan(session, plan_id)
        rows = session.exec(
            select(Delivery).where(Delivery.plan_id == plan_id).order_by(col(Delivery.id))
        ).all()
        return [
            {
                "name": d.name,
                "email": d.email,
                "unit": d.unit_code,
                "status": d.status,
                "reason": d.reason,
                "message_id": d.message_id,
                "smtp_reply": d.smtp_reply,
                "line": d.line_text,
                "acknowledged_at": d.acknowledged_at.isoformat(timespec="seconds")
                if d.acknowledged_at
                else None,
                "channel": d.channel,
                "answer_code": d.answer_code,  # the receiver's edXML status: "03", "02" …
                "answer": d.answer,
                # after a recall: notified, destroyed, refused (16), marked by hand, not_sent …
                "recall_status": d.recall_status,
                "recall_at": d.recall_at.isoformat(timespec="seconds") if d.recall_at else None,
                "recall_note": d.recall_note,
            }
            for d in rows
        ]


def open_tasks(db: Database, email: str) -> list[dict[str, Any]]:
    """What waits for this person: open review tasks, plans to sign and, for a văn thư, plans to issue."""
    with db.read() as session:
        person = session.exec(select(Person).where(col(Person.email) == email.strip().lower())).first()
        if person is None:
            raise NotFound("as", code="person.not_found", email=email)
        today = local_date(db.clock())
        # Their own work, and the work of everyone whose delegation to them is in force today.
        reviewing = {person.id: "", **_delegators(session, person.id or 0, Kind.REVIEW, today)}
        signing = {person.id: "", **_delegators(session, person.id or 0, Kind.SIGN, today)}
        out: list[dict[str, Any]] = []
        for task, plan, version in session.exec(
            select(ReviewTask, Plan, PlanVersion)
            .join(Plan, col(Plan.id) == ReviewTask.plan_id)
            .join(PlanVersion, col(PlanVersion.id) == ReviewTask.version_id)
            .where(
                col(ReviewTask.reviewer_id).in_(reviewing),
                ReviewTask.status == "open",
                col(ReviewTask.round) == Plan.review_round,
            )
        ).all():
            out.append(
                {
                    "plan": plan.id,
                    "step": "review",
                    "title": version.title,
                    "round": task.round,
                    "version_hash": short_hash(task.version_hash),
                    "since": task.created_at.isoformat(),
                    "on_behalf_of": reviewing[task.reviewer_id],
                }
            )
        issuing = session.exec(
            select(Plan, PlanVersion)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .where(Plan.org_id == person.org_id, col(Plan.state).in_(waiting_on(Role.CLERK)))
        ).all()
        for plan, version in issuing if Role.CLERK in person.roles else ():
            out.append(
                {
                    "plan": plan.id,
                    "step": "issue",
                    "title": version.title,
                    "round": plan.review_round,
                    "version_hash": short_hash(version.content_hash),
                    "since": (plan.signed_at or plan.updated_at).isoformat(),
                    "on_behalf_of": "",
                }
            )
        for plan, version in session.exec(
            select(Plan, PlanVersion)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .where(col(Plan.signer_id).in_(signing), Plan.state == "approved")
        ).all():
            out.append(
                {
                    "plan": plan.id,
                    "step": "sign",
                    "title": version.title,
                    "round": plan.review_round,
                    "version_hash": short_hash(version.content_hash),
                    "since": (plan.sign_requested_at or plan.updated_at).isoformat(),
                    "on_behalf_of": signing[plan.signer_id],
                }
            )
        # A recall another signer asked for waits on a second person of signing authority.
        for plan, version, recall in (
            session.exec(
                select(Plan, PlanVersion, Recall)
                .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
                .join(Recall, col(Recall.plan_id) == Plan.id)
                .where(
                    Plan.org_id == person.org_id,
                    Plan.state == State.RECALL_REQUESTED,
                    Recall.status == "requested",
                    col(Recall.requested_by_id) != person.id,
                )
            ).all()
            if Role.SIGNER in person.roles
            else ()
        ):
            out.append(
                {
                    "plan": plan.id,
                    "step": "confirm_recall",
                    "title": version.title,
                    "round": plan.review_round,
                    "version_hash": short_hash(version.content_hash),
                    "since": recall.requested_at.isoformat(),
                    "on_behalf_of": "",
                }
            )
        return out


def _delegators(session: Session, person_id: int, kind: Kind, day: date) -> dict[int | None, str]:
    """Who has delegated `kind` to the person with a delegation in force on `day`: id → email."""
    rows = session.exec(
        select(Delegation, Person)
        .join(Person, col(Person.id) == Delegation.from_id)
        .where(Delegation.to_id == person_id, Delegation.kind == kind.value)
    ).all()
    return {p.id: p.email for d, p in rows if Period(d.starts_on, d.ends_on).covers(day)}


def register(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.exec(
            select(RegisterEntry).order_by(col(RegisterEntry.register_id), col(RegisterEntry.number))
        ).all()
        states = dict(
            session.exec(select(Plan.id, Plan.state).where(col(Plan.id).in_([r.plan_id for r in rows]))).all()
        )
        return [
            {
                "number": r.number,
                "symbol": r.symbol,
                "plan": r.plan_id,
                "title": r.title,
                "signer": r.signer,
                "at": r.allocated_at.isoformat(timespec="seconds"),
                "state": states.get(r.plan_id, ""),  # recalled or superseded rows stay, marked
            }
            for r in rows
        ]


def outbox(db: Database, plan_id: int | None = None) -> list[dict[str, Any]]:
    with db.read() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if plan_id is not None:
            query = query.where(OutboxMessage.plan_id == plan_id)
        return [
            {
                "id": m.id,
                "kind": m.kind,
                "event": m.event,
                "to": m.to_email,
                "status": m.status,
                "attempts": m.attempts,
                "error": m.last_error,
            }
            for m in session.exec(query).all()
        ]


# The outgoing register (sổ đăng ký văn bản đi), NĐ 30/2020 Phụ lục IV: its ten columns.
OUTGOING_REGISTER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("symbol", "Số, ký hiệu văn bản"),
    ("date", "Ngày tháng văn bản"),
    ("type_and_summary", "Tên loại và trích yếu nội dung"),
    ("signer", "Người ký"),
    ("recipients", "Nơi nhận văn bản"),
    ("archive", "Đơn vị, người nhận bản lưu"),
    ("copies", "Số lượng bản"),
    ("sent", "Ngày chuyển"),
    ("receipt", "Ký nhận"),
    ("notes", "Ghi chú"),
)
TYPE_NAMES = {
    "KH": "Kế hoạch",
    "NQ": "Nghị quyết",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "BC": "Báo cáo",
    "CTr": "Chương trình",
    "TTr": "Tờ trình",
    "QC": "Quy chế",
}
_SYMBOL_PREFIX = re.compile(r"^Số\s*:?\s*")
_ARCHIVE_PREFIX = re.compile(r"^Lưu\s*:?\s*", re.IGNORECASE)


def _vn_date(at: datetime | None) -> str:
    return at.astimezone(VN_TZ).strftime("%d/%m/%Y") if at else ""


def _type_and_summary(doc_type: str, title: str) -> str:
    name = TYPE_NAMES.get(doc_type, doc_type)
    return title if title.casefold().startswith(name.casefold()) else f"{name} {title}"


def _after_issue(session: Session, plan_ids: list[int | None]) -> dict[int, list[str]]:
    """The register's notes on what became of each plan: recalled (when), replaced or corrected (by which)."""
    notes: dict[int, list[str]] = {}
    for recalled in session.exec(
        select(Recall).where(col(Recall.plan_id).in_(plan_ids), Recall.status == "confirmed")
    ):
        day = _vn_date(recalled.decided_at)
        notes.setdefault(recalled.plan_id, []).append(f"Đã thu hồi ngày {day}: {recalled.reason}")
    kinds = [LinkKind.REPLACES.value, LinkKind.CORRECTS.value]
    for row, other in session.exec(
        select(PlanLink, Plan)
        .join(Plan, col(Plan.id) == PlanLink.plan_id)
        .where(col(PlanLink.target_id).in_(plan_ids), col(PlanLink.kind).in_(kinds))
    ):
        if other.symbol:  # only a replacement or correction that is itself numbered
            words = WORDS[LinkKind(row.kind)][1]
            notes.setdefault(row.target_id, []).append(f"{words} {_SYMBOL_PREFIX.sub('', other.symbol)}")
    for row, target in session.exec(  # and on the new document's row, what it replaces or corrects
        select(PlanLink, Plan)
        .join(Plan, col(Plan.id) == PlanLink.target_id)
        .where(col(PlanLink.plan_id).in_(plan_ids), col(PlanLink.kind).in_(kinds))
    ):
        words = WORDS[LinkKind(row.kind)][0]
        notes.setdefault(row.plan_id, []).append(f"{words} {_SYMBOL_PREFIX.sub('', target.symbol or '')}")
    return notes


def outgoing_register(db: Database, org_key: str | None = None) -> list[dict[str, Any]]:
    """One row per allocated number, in register order, with the columns of NĐ 30 Phụ lục IV.

    The number of copies is one per delivery once the plan is distributed (the archive copy
    included), before that one per Nơi nhận line; the date sent is the day distribution began.
    """
    with db.read() as session:
        query = (
            select(RegisterEntry, Register, Plan, PlanVersion)
            .join(Register, col(Register.id) == RegisterEntry.register_id)
            .join(Plan, col(Plan.id) == RegisterEntry.plan_id)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .order_by(col(Register.org_key), col(RegisterEntry.register_id), col(RegisterEntry.number))
        )
        if org_key is not None:
            if session.exec(select(Organisation).where(Organisation.key == org_key)).first() is None:
                raise NotFound("org", code="org.not_found", key=org_key)
            query = query.where(Register.org_key == org_key)
        rows = session.exec(query).all()
        plan_ids = [p.id for _, _, p, _ in rows]
        copies: dict[int, int] = {}
        for delivered in session.exec(select(Delivery.plan_id).where(col(Delivery.plan_id).in_(plan_ids))):
            copies[delivered] = copies.get(delivered, 0) + 1
        sent: dict[int, datetime] = {}
        for audited, at in session.exec(
            select(AuditEntry.plan_id, AuditEntry.created_at).where(
                col(AuditEntry.plan_id).in_(plan_ids), AuditEntry.action == "distribute"
            )
        ):
            if audited is not None:
                sent[audited] = min(at, sent.get(audited, at))
        after = _after_issue(session, plan_ids)
        out: list[dict[str, Any]] = []
        for entry, register_row, plan, version in rows:
            lines = recipients_from_json(version.recipients)
            notes = [f"Độ mật: {plan.secrecy}"] if plan.secrecy else []
            if plan.state in ("signed", "distributing"):
                notes.append("đang phát hành")
            notes += after.get(plan.id or 0, [])
            out.append(
                {
                    "org": register_row.org_key,
                    "number": entry.number,
                    "plan": entry.plan_id,
                    "symbol": _SYMBOL_PREFIX.sub("", entry.symbol),
                    "date": _vn_date(plan.signed_at or entry.allocated_at),
                    "type_and_summary": _type_and_summary(plan.doc_type, entry.title),
                    "signer": entry.signer,
                    "recipients": "; ".join(
                        f"{r.text} ({r.annotation})" if r.annotation else r.text
                        for r in lines
                        if not r.archive
                    ),
                    "archive": "; ".join(_ARCHIVE_PREFIX.sub("", r.text) for r in lines if r.archive),
                    "copies": copies.get(entry.plan_id) or len(lines),
                    "sent": _vn_date(sent.get(entry.plan_id)),
                    "receipt": "",
                    "notes": "; ".join(notes),
                }
            )
        return out
