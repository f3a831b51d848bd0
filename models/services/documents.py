"""Reading what the renderers and the mailer need from the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from models.db import Database
from models.directory import Organisation
from models.errors import NotFound
from models.plans import Plan, PlanVersion, RenderedDocument
from models.records import AuditAnchor
from models.services.audit import anchor_text


@dataclass(frozen=True)
class PlanDocument:
    plan: Plan
    version: PlanVersion
    org: Organisation
    anchor: str = ""  # the chain head recorded at signing, as the PDF prints it


def plan_document(db: Database, plan_id: int) -> PlanDocument:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        version = session.get(PlanVersion, plan.current_version_id)
        org = session.get(Organisation, plan.org_id)
        assert version is not None and org is not None
        anchored = session.exec(
            select(AuditAnchor).where(AuditAnchor.plan_id == plan.id).order_by(col(AuditAnchor.seq).desc())
        ).first()
        printed = anchor_text(org.key, anchored.seq, anchored.hash) if anchored else ""
        return PlanDocument(plan, version, org, printed)


def rendered(db: Database, document_id: int) -> RenderedDocument:
    with db.read() as session:
        doc = session.get(RenderedDocument, document_id)
        if doc is None:
            raise NotFound("document", code="document.not_found", document_id=document_id)
        return doc


def stored_document(db: Database, plan_id: int, version_id: int, fmt: str) -> RenderedDocument | None:
    """The file rendered (and sealed) when this version was issued, if it was."""
    with db.read() as session:
        query = select(RenderedDocument).where(
            RenderedDocument.plan_id == plan_id,
            RenderedDocument.version_id == version_id,
            RenderedDocument.format == fmt,
        )
        return session.exec(query).first()


def rendered_sibling(db: Database, document_id: int, fmt: str) -> RenderedDocument | None:
    """The same plan version rendered in another format (the HTML beside the PDF)."""
    with db.read() as session:
        doc = session.get(RenderedDocument, document_id)
        if doc is None:
            return None
        query = select(RenderedDocument).where(
            RenderedDocument.plan_id == doc.plan_id,
            RenderedDocument.version_id == doc.version_id,
            RenderedDocument.format == fmt,
        )
        return session.exec(query).first()
