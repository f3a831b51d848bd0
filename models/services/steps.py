"""The table's steps as calls: a step that needs nothing beyond its row, why a step is blocked,
and what a person may do on a plan now."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.db import Database
from models.errors import NotFound
from models.guards import Blocked
from models.lifecycle import Action, Role, State, available_actions
from models.plans import Plan
from models.services.core import apply, check, guarded, lock_plan, resolve_actor
from models.services.views import plan_view


def take(
    db: Database, plan_id: int, actor: str, action: Action, detail: dict[str, Any] | None = None
) -> State:
    """Take a step whose row is all it needs (its guard, audit entry, events and flow job, through
    `core.apply`); returns the plan's new state."""
    now = db.clock()
    with db.write() as session:
        plan = lock_plan(session, plan_id)
        who = resolve_actor(session, actor)
        transition = check(session, plan, who, action)
        apply(session, plan, transition, who, now, detail)
        return transition.target


def blocked(
    db: Database, plan_id: int, actor: str, action: Action, seen: str | None = None
) -> Blocked | None:
    """Why the step's guard blocks `actor` now, or None (`Refused` when the table itself says no)."""
    with db.read() as session:
        plan = _plan(session, plan_id)
        return guarded(session, plan, resolve_actor(session, actor), action, seen)[1]


def offered(db: Database, plan_id: int, actor: str) -> list[Action]:
    """The steps `actor` may take on the plan now (for the pages and the CLI to offer)."""
    with db.read() as session:
        plan = _plan(session, plan_id)
        person = resolve_actor(session, actor).person
        if person is None:
            return []
        roles = {Role(r) for r in person.roles if r in Role.__members__.values()}
        return available_actions(plan_view(session, plan, person), roles)


def _plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("plan", code="plan.not_found", plan_id=plan_id)
    return plan
