"""Read-only views for the CLI and the web app: status, history, deliveries, tasks."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models.content import short_hash
from models.db import Database
from models.directory import Organisation, Person
from models.errors import NotFound
from models.plans import Plan, PlanReviewer, PlanVersion, ReviewTask
from models.records import AuditEntry, Delivery, OutboxMessage, RegisterEntry


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan", f"no plan with id {plan_id}")
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
            "tasks": [
                {
                    "reviewer": people[t.reviewer_id].email if t.reviewer_id in people else t.reviewer_id,
                    "status": t.status,
                    "version_hash": short_hash(t.version_hash),
                    "comment": t.comment,
                    "carried_over": t.carried_over,
                }
                for t in tasks
            ],
            "recipients": version.recipients,
            "deliveries": counts,
            "flow_run_id": plan.flow_run_id,
            "signed_at": plan.signed_at.isoformat() if plan.signed_at else None,
            "issued_at": plan.issued_at.isoformat() if plan.issued_at else None,
        }


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
            }
            for d in rows
        ]


def open_tasks(db: Database, email: str) -> list[dict[str, Any]]:
    """What waits for this person: open review tasks and plans to sign."""
    with db.read() as session:
        person = session.exec(select(Person).where(col(Person.email) == email.strip().lower())).first()
        if person is None:
            raise NotFound("as", f"no person with the email address '{email}'")
        out: list[dict[str, Any]] = []
        for task, plan, version in session.exec(
            select(ReviewTask, Plan, PlanVersion)
            .join(Plan, col(Plan.id) == ReviewTask.plan_id)
            .join(PlanVersion, col(PlanVersion.id) == ReviewTask.version_id)
            .where(
                ReviewTask.reviewer_id == person.id,
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
                }
            )
        for plan, version in session.exec(
            select(Plan, PlanVersion)
            .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
            .where(Plan.signer_id == person.id, Plan.state == "approved")
        ).all():
            out.append(
                {
                    "plan": plan.id,
                    "step": "sign",
                    "title": version.title,
                    "round": plan.review_round,
                    "version_hash": short_hash(version.content_hash),
                    "since": plan.updated_at.isoformat(),
                }
            )
        return out


def register(db: Database) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = session.exec(
            select(RegisterEntry).order_by(col(RegisterEntry.register_id), col(RegisterEntry.number))
        ).all()
        return [
            {
                "number": r.number,
                "symbol": r.symbol,
                "plan": r.plan_id,
                "title": r.title,
                "signer": r.signer,
                "at": r.allocated_at.isoformat(timespec="seconds"),
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
