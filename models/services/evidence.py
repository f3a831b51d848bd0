"""The evidence of one plan: who approved which text, its number, its deliveries, the chain heads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from models.db import Database
from models.directory import Organisation, Person
from models.errors import NotFound
from models.numbering import VN_TZ
from models.plans import Plan, PlanVersion, RenderedDocument
from models.records import AuditAnchor, AuditEntry, AuditHead, Delivery, RegisterEntry
from models.services import audit, recall, related

# Actions a person decides on the text; the rest of the plan's entries are listed as its trail.
DECISIONS = frozenset(
    {
        "approve",
        "request_changes",
        "reject",
        "sign",
        "withdraw",
        "request_recall",
        "confirm_recall",
        "cancel_recall",
    }
)


@dataclass(frozen=True)
class Evidence:
    org_name: str
    plan: dict[str, Any]
    versions: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    allocation: dict[str, Any] | None
    documents: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    anchors: list[dict[str, Any]]  # chain heads recorded at signing, and the head at this export
    trail: list[dict[str, Any]]  # every audit entry of the plan
    chain: str  # what `audit verify` says about the organisation's chain now
    signatures: list[str]  # the issued PDF's digital signatures as verified now, in Vietnamese
    # After issuance: the documents that replace or correct it (or that it replaces, corrects), and
    # its recall with each recipient's answer (recipient_status in `deliveries`).
    related: list[dict[str, Any]] = field(default_factory=list)
    recall: dict[str, Any] | None = None


def local(at: datetime | None) -> str:
    return at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S") if at else ""


def gather(db: Database, plan_id: int, anchors_setting: str = "") -> Evidence:
    """The plan's evidence; `anchors_setting` (BANHANH_TRUST_ANCHORS): what the issued PDF's
    signatures are checked against."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        org = session.get(Organisation, plan.org_id)
        assert org is not None
        people = {p.id: p.email for p in session.exec(select(Person).where(Person.org_id == plan.org_id))}
        versions = session.exec(
            select(PlanVersion).where(PlanVersion.plan_id == plan_id).order_by(col(PlanVersion.seq))
        ).all()
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.org_id == plan.org_id, AuditEntry.plan_id == plan_id)
            .order_by(col(AuditEntry.seq))
        ).all()
        allocation = session.exec(select(RegisterEntry).where(RegisterEntry.plan_id == plan_id)).first()
        documents = session.exec(select(RenderedDocument).where(RenderedDocument.plan_id == plan_id)).all()
        deliveries = session.exec(
            select(Delivery).where(Delivery.plan_id == plan_id).order_by(col(Delivery.id))
        ).all()
        anchored = session.exec(
            select(AuditAnchor).where(AuditAnchor.plan_id == plan_id).order_by(col(AuditAnchor.seq))
        ).all()
        head = session.get(AuditHead, plan.org_id)
    report = audit.verify(db, plan.org_id)
    chain = (
        f"intact: {report.entries} entries"
        if report.broken_at is None
        else f"BROKEN at entry #{report.broken_at.seq} ({report.broken_at.action}): {report.reason}"
    )
    current = versions[-1] if versions else None
    anchors = [
        {
            "when": f"signing ({local(a.created_at)})",
            "seq": a.seq,
            "hash": a.hash,
            "text": audit.anchor_text(org.key, a.seq, a.hash),
        }
        for a in anchored
    ]
    if head is not None:
        anchors.append(
            {
                "when": "this export",
                "seq": head.seq,
                "hash": head.hash,
                "text": audit.anchor_text(org.key, head.seq, head.hash),
            }
        )
    issued = next((d for d in documents if d.format == "pdf"), None)
    return Evidence(
        signatures=_signatures(issued.content, anchors_setting) if issued is not None else [],
        org_name=org.name,
        plan={
            "id": plan.id,
            "title": current.title if current else "",
            "symbol": plan.symbol or "",
            "state": plan.state,
            "secrecy": plan.secrecy,
            "signed_at": local(plan.signed_at),
            "issued_at": local(plan.issued_at),
        },
        versions=[
            {
                "seq": v.seq,
                "hash": v.content_hash,
                "title": v.title,
                "by": people.get(v.created_by_id, str(v.created_by_id)),
                "at": local(v.created_at),
            }
            for v in versions
        ],
        decisions=[
            {
                "seq": e.seq,
                "action": e.action,
                "actor": e.actor,
                "on_behalf_of": str(e.detail.get("on_behalf_of") or ""),
                "at": local(e.created_at),
                "hash": str(e.detail.get("hash") or ""),
                "comment": str(e.detail.get("comment") or e.detail.get("reason") or ""),
            }
            for e in entries
            if e.action in DECISIONS
        ],
        allocation=None
        if allocation is None
        else {
            "symbol": allocation.symbol,
            "number": allocation.number,
            "signer": allocation.signer,
            "at": local(allocation.allocated_at),
        },
        documents=[
            {"format": d.format, "filename": d.filename, "sha256": d.sha256, "at": local(d.created_at)}
            for d in documents
        ],
        deliveries=[
            {
                "name": d.name,
                "email": d.email or "",
                "status": d.status,
                "reason": d.reason,
                "message_id": d.message_id,
                "smtp_reply": d.smtp_reply,
                "at": local(d.updated_at),
                "recall": d.recall_status,
                "recall_at": local(d.recall_at),
                "recall_note": d.recall_note or d.answer if d.recall_status else "",
            }
            for d in deliveries
        ],
        anchors=anchors,
        trail=[
            {
                "seq": e.seq,
                "at": local(e.created_at),
                "actor": e.actor,
                "action": e.action,
                "states": f"{e.from_state} → {e.to_state}" if e.to_state else "",
                "hash": e.hash,
            }
            for e in entries
        ],
        chain=chain,
        related=related.shown(db, plan_id),
        recall=recall.status(db, plan_id)["recall"],
    )


def _signatures(pdf: bytes, anchors_setting: str) -> list[str]:
    from documents.signatures.summary import summary_vi

    return summary_vi(pdf, anchors_setting)
