"""Assignments of a stored plan: drafted from its current version's text, units looked up in its
organisation's address book; confirmed by the secretariat as part of a new version."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import select

from documents.assignments import ResolvedAssignment, draft_assignments, resolve_assignments
from models.content import ConfirmedAssignment
from models.db import Database
from models.directory import Unit
from models.errors import NotFound
from models.plans import Plan
from models.services.core import lock_plan, resolve_actor
from models.services.plans import _edit, address_book
from models.services.versions import content_of, current_version
from models.tracking import assignments_from


def drafted_for_plan(db: Database, plan_id: int) -> tuple[Plan, list[ResolvedAssignment]]:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        version = current_version(session, plan)
        book = address_book(session, plan.org_id)
        return plan, resolve_assignments(draft_assignments(version.body), book)


def confirmed_for_plan(db: Database, plan_id: int) -> tuple[ConfirmedAssignment, ...]:
    """The assignments the plan's current version holds (none until the secretariat confirms)."""
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        return content_of(current_version(session, plan)).assignments


def confirm_assignments(db: Database, plan_id: int, actor: str, items: list[dict[str, Any]] | None) -> str:
    """Store the plan's assignments in a new version (an edit: draft or changes requested only):
    `items` as the secretariat edited them, or None for the ones drafted from the text as they
    stand. Returns the version's hash. Names still to confirm are kept; submission refuses them."""
    now = db.clock()
    if items is None:
        _, drafted = drafted_for_plan(db, plan_id)
        items = [r.as_json() for r in drafted]
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        units = session.exec(select(Unit).where(Unit.org_id == plan.org_id)).all()
        book = {u.code: u.name for u in units}
        assignments = assignments_from(items, book)
        content = replace(content_of(current_version(session, plan)), assignments=assignments)
        return _edit(
            session, plan, who, now, content, {"edit": "assignments", "assignments": len(assignments)}
        )
