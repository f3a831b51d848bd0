"""Assignments of a stored plan: drafted from its current version's text, units looked up in its
organisation's address book. Read only."""

from __future__ import annotations

from documents.assignments import ResolvedAssignment, draft_assignments, resolve_assignments
from models.db import Database
from models.errors import NotFound
from models.plans import Plan
from models.services.plans import address_book
from models.services.versions import current_version


def drafted_for_plan(db: Database, plan_id: int) -> tuple[Plan, list[ResolvedAssignment]]:
    with db.read() as session:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
        version = current_version(session, plan)
        book = address_book(session, plan.org_id)
        return plan, resolve_assignments(draft_assignments(version.body), book)
