"""Read-only views the web app needs beyond `queries`: inbox with due dates, a plan's
pending steps, the organisation's plans, and the version a person last saw (for a diff)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from models.content import recipients_from_json, short_hash
from models.db import Database
from models.directory import Organisation, Person, Unit
from models.errors import NotFound
from models.lifecycle import Role, waiting_on
from models.plans import Plan, PlanVersion, ReviewTask
from models.policies import TaskStatus
from models.reminders import ReminderPolicy, due_date
from models.services.queries import open_tasks
from models.services.roles import pending as grants_waiting
from models.wording import compare


def _due(org: Organisation, since: datetime) -> date:
    holidays = [date.fromisoformat(d) for d in org.holidays]
    return due_date(since, ReminderPolicy.from_config(org.reminders), holidays)


def inbox(db: Database, person: Person) -> list[dict[str, Any]]:
    """What waits for this person (their own tasks and those delegated to them, from
    `queries.open_tasks`) and, for the secretariat, drafts returned for changes; with since when
    and by when."""
    out = [{**task, "since": datetime.fromisoformat(task["since"])} for task in open_tasks(db, person.email)]
    with db.read() as session:
        org = session.get(Organisation, person.org_id)
        assert org is not None
        if Role.SECRETARIAT in person.roles:
            for plan, version in session.exec(
                select(Plan, PlanVersion)
                .join(PlanVersion, col(PlanVersion.id) == Plan.current_version_id)
                .where(Plan.org_id == person.org_id, Plan.state == "changes_requested")
            ).all():
                out.append(
                    {
                        "plan": plan.id,
                        "step": "edit",
                        "title": version.title,
                        "version_hash": short_hash(version.content_hash),
                        "since": plan.updated_at,
                        "on_behalf_of": "",
                    }
                )
    return sorted(({**item, "due": _due(org, item["since"])} for item in out), key=lambda i: i["due"])


def pending(db: Database, plan_id: int) -> list[dict[str, Any]]:
    """Who the plan waits for now, and since when."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        org = session.get(Organisation, plan.org_id)
        assert org is not None
        people = {p.id: p for p in session.exec(select(Person).where(Person.org_id == plan.org_id))}
        out = []
        if plan.state == "in_review":
            for task in session.exec(
                select(ReviewTask).where(
                    ReviewTask.plan_id == plan.id,
                    ReviewTask.round == plan.review_round,
                    ReviewTask.status == "open",
                )
            ):
                who = people.get(task.reviewer_id)
                out.append(_waiting("review", who, task.created_at, org))
        elif plan.state == "approved":
            since = plan.sign_requested_at or plan.updated_at
            out.append(_waiting("sign", people.get(plan.signer_id), since, org))
        elif plan.state in waiting_on(Role.CLERK):
            since = plan.signed_at or plan.updated_at
            clerks: list[Person | None] = [p for p in people.values() if Role.CLERK in p.roles]
            for clerk in clerks or [None]:  # no văn thư named yet: the step still shows
                out.append(_waiting("issue", clerk, since, org))
        elif plan.state in ("draft", "changes_requested"):
            out.append(_waiting("edit", people.get(plan.drafter_id), plan.updated_at, org))
        return out


def _waiting(step: str, who: Person | None, since: datetime, org: Organisation) -> dict[str, Any]:
    return {
        "step": step,
        "name": who.name if who else "",
        "email": who.email if who else "",
        "since": since,
        "due": _due(org, since),
    }


def people_and_units(db: Database, org_id: int) -> tuple[list[Person], list[Unit]]:
    with db.read() as session:
        people = session.exec(select(Person).where(Person.org_id == org_id).order_by(col(Person.name))).all()
        units = session.exec(select(Unit).where(Unit.org_id == org_id).order_by(col(Unit.name))).all()
        return list(people), list(units)


def pending_role_changes(db: Database, org_id: int) -> list[dict[str, Any]]:
    """Role grants waiting for a second administrator, for the address-book page."""
    with db.read() as session:
        return [
            {
                "id": c.id,
                "name": p.name,
                "email": p.email,
                "roles": c.roles,
                "asked_by": a.name,
                "asked_by_id": a.id,
            }
            for c, p, a in grants_waiting(session, org_id)
        ]


def version_text(version: PlanVersion) -> list[str]:
    """The version as lines of text, for comparing two versions."""
    lines = [f"Tên: {version.title}", "", *version.body.splitlines(), ""]
    lines += [f"Chú thích {i}: {f}" for i, f in enumerate(version.footnotes, start=1)]
    lines += ["Nơi nhận:", *(f"- {r.text}" for r in recipients_from_json(version.recipients))]
    sig = version.signature or {}
    lines += [f"Người ký: {sig.get('signer_name', '')}"]
    return lines


def changes_since_seen(db: Database, plan_id: int, person: Person) -> dict[str, Any] | None:
    """The diff from the version this person reviewed last (an earlier round) to the current one."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        current = session.get(PlanVersion, plan.current_version_id)
        assert current is not None
        earlier = _last_seen(session, plan, person, current)
        if earlier is None:
            return None
        changes = compare(version_text(earlier), version_text(current))
        # What asked for the changes: the comments of the rounds between the two versions.
        asked = session.exec(
            select(ReviewTask, Person)
            .join(Person, col(Person.id) == ReviewTask.reviewer_id)
            .where(
                ReviewTask.plan_id == plan.id,
                ReviewTask.status == TaskStatus.CHANGES_REQUESTED,
                col(ReviewTask.round) < plan.review_round,
                col(ReviewTask.version_id) == earlier.id,
            )
            .order_by(col(ReviewTask.round), col(ReviewTask.id))
        ).all()
        return {
            "from_seq": earlier.seq,
            "from_hash": short_hash(earlier.content_hash),
            "to_seq": current.seq,
            "to_hash": short_hash(current.content_hash),
            "changed": changes.changed,
            "paragraphs": changes.around_changes(context=1),
            "asked": [{"name": who.name, "comment": task.comment} for task, who in asked if task.comment],
        }


def _last_seen(session: Session, plan: Plan, person: Person, current: PlanVersion) -> PlanVersion | None:
    tasks = session.exec(
        select(ReviewTask)
        .where(ReviewTask.plan_id == plan.id, ReviewTask.reviewer_id == person.id)
        .order_by(col(ReviewTask.round).desc())
    ).all()
    for task in tasks:
        if task.version_id != current.id and task.round < plan.review_round:
            return session.get(PlanVersion, task.version_id)
    return None


def organisation(db: Database, org_id: int) -> Organisation:
    with db.read() as session:
        org = session.get(Organisation, org_id)
        if org is None:
            raise NotFound("org", code="org.not_found", key=org_id)
        return org
